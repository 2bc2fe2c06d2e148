// What GraphiQL opens with: the first call a newcomer makes, and where its token goes.
export const GRAPHIQL_DEFAULT_QUERY = `# Welcome to hubgraph.
#
# 1. Run openSession below (it needs no token) and copy the token it returns.
# 2. Open the "Headers" tab underneath and replace <token> with it:
#      { "Authorization": "Bearer <token>" }
#    Every other operation needs that header (WebSocket clients send
#    { "authorization": "Bearer <token>" } as the connection_init payload).
# 3. Then try the operations below: pick one with the play button.

mutation OpenSession {
  openSession {
    token
    expiresAt
  }
}

query Discover {
  session { id actors expiresAt }
  platforms { id verbs persistent credentialsSchema }
}

subscription Inbound {
  activities {
    type
    platform
    actor { id name }
    target { id }
    object { type content }
    published
    cursor
  }
}
`;

export const GRAPHIQL_HEADERS = JSON.stringify({ Authorization: 'Bearer <token>' }, null, 2);
