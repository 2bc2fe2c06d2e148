// The GraphQL operations the bench sends, and the steps that give a session a live dummy connection.
import type { HttpGql } from './http-gql.js';

export const ECHO_MUTATION = 'mutation Echo($input: ActivityInput!) { fetch(input: $input) { id type object { type } } }';
export const ECHO_INPUT = { input: { platform: 'dummy', actor: { id: 'x', type: 'person' }, object: { type: 'echo' } } };

/** What a typical client of the activities subscription asks for (the floor serves the same shape). */
export const ACTIVITIES_SUBSCRIPTION = 'subscription Activities { activities { id type platform cursor published actor { id name } object { type content } } }';

export const ACTOR = 'a@dummy';
const SEND_MUTATION = 'mutation Send($input: ActivityInput!) { send(input: $input) { id } }';

export async function openSession(http: HttpGql): Promise<string> {
  const d = await http.run<{ openSession: { token: string } }>('mutation { openSession { token } }');
  return d.openSession.token;
}

/** setCredentials then connect: the session now hosts a dummy connection that emits on `send`. */
export async function connectDummy(authed: HttpGql): Promise<void> {
  await authed.run('mutation($c: JSON!) { setCredentials(platform: "dummy", actor: "a@dummy", credentials: $c) }', { c: { name: 'a' } });
  await authed.run('mutation($input: ActivityInput!) { connect(input: $input) { id } }', { input: { platform: 'dummy', actor: { id: ACTOR, type: 'person' } } });
}

/** Makes the hosted session emit `repeat` inbound activities into the session's stream. */
export async function emitInbound(authed: HttpGql, repeat: number): Promise<void> {
  await authed.run(SEND_MUTATION, {
    input: { platform: 'dummy', actor: { id: ACTOR, type: 'person' }, object: { type: 'message', content: 'x', extra: { repeat } } },
  });
}
