/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "subscription Activities($platform: String, $actor: String, $since: String) {\n  activities(platform: $platform, actor: $actor, since: $since) {\n    ...ActivityFields\n  }\n}": typeof types.ActivitiesDocument,
    "fragment ActivityObjectFields on ActivityObject {\n  id\n  type\n  name\n  content\n  url\n  mediaType\n  summary\n  json\n}\n\nfragment ActivityFields on Activity {\n  id\n  type\n  platform\n  published\n  cursor\n  actor {\n    ...ActivityObjectFields\n  }\n  object {\n    ...ActivityObjectFields\n  }\n  target {\n    ...ActivityObjectFields\n  }\n  json\n}": typeof types.ActivityObjectFieldsFragmentDoc,
    "mutation OpenSession {\n  openSession {\n    token\n    expiresAt\n  }\n}\n\nmutation CloseSession {\n  closeSession\n}\n\nmutation SetCredentials($platform: String!, $actor: String!, $credentials: JSON!) {\n  setCredentials(platform: $platform, actor: $actor, credentials: $credentials)\n}\n\nquery Session {\n  session {\n    id\n    actors\n    expiresAt\n  }\n}\n\nquery Platforms {\n  platforms {\n    id\n    verbs\n    persistent\n    credentialsSchema\n  }\n}": typeof types.OpenSessionDocument,
    "mutation Connect($input: ActivityInput!) {\n  connect(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Disconnect($input: ActivityInput!) {\n  disconnect(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Join($input: ActivityInput!) {\n  join(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Leave($input: ActivityInput!) {\n  leave(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Send($input: ActivityInput!) {\n  send(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Update($input: ActivityInput!) {\n  update(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Query($input: ActivityInput!) {\n  query(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Fetch($input: ActivityInput!) {\n  fetch(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation RequestFriend($input: ActivityInput!) {\n  requestFriend(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation RemoveFriend($input: ActivityInput!) {\n  removeFriend(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation MakeFriend($input: ActivityInput!) {\n  makeFriend(input: $input) {\n    ...ActivityFields\n  }\n}": typeof types.ConnectDocument,
};
const documents: Documents = {
    "subscription Activities($platform: String, $actor: String, $since: String) {\n  activities(platform: $platform, actor: $actor, since: $since) {\n    ...ActivityFields\n  }\n}": types.ActivitiesDocument,
    "fragment ActivityObjectFields on ActivityObject {\n  id\n  type\n  name\n  content\n  url\n  mediaType\n  summary\n  json\n}\n\nfragment ActivityFields on Activity {\n  id\n  type\n  platform\n  published\n  cursor\n  actor {\n    ...ActivityObjectFields\n  }\n  object {\n    ...ActivityObjectFields\n  }\n  target {\n    ...ActivityObjectFields\n  }\n  json\n}": types.ActivityObjectFieldsFragmentDoc,
    "mutation OpenSession {\n  openSession {\n    token\n    expiresAt\n  }\n}\n\nmutation CloseSession {\n  closeSession\n}\n\nmutation SetCredentials($platform: String!, $actor: String!, $credentials: JSON!) {\n  setCredentials(platform: $platform, actor: $actor, credentials: $credentials)\n}\n\nquery Session {\n  session {\n    id\n    actors\n    expiresAt\n  }\n}\n\nquery Platforms {\n  platforms {\n    id\n    verbs\n    persistent\n    credentialsSchema\n  }\n}": types.OpenSessionDocument,
    "mutation Connect($input: ActivityInput!) {\n  connect(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Disconnect($input: ActivityInput!) {\n  disconnect(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Join($input: ActivityInput!) {\n  join(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Leave($input: ActivityInput!) {\n  leave(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Send($input: ActivityInput!) {\n  send(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Update($input: ActivityInput!) {\n  update(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Query($input: ActivityInput!) {\n  query(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Fetch($input: ActivityInput!) {\n  fetch(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation RequestFriend($input: ActivityInput!) {\n  requestFriend(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation RemoveFriend($input: ActivityInput!) {\n  removeFriend(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation MakeFriend($input: ActivityInput!) {\n  makeFriend(input: $input) {\n    ...ActivityFields\n  }\n}": types.ConnectDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription Activities($platform: String, $actor: String, $since: String) {\n  activities(platform: $platform, actor: $actor, since: $since) {\n    ...ActivityFields\n  }\n}"): (typeof documents)["subscription Activities($platform: String, $actor: String, $since: String) {\n  activities(platform: $platform, actor: $actor, since: $since) {\n    ...ActivityFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ActivityObjectFields on ActivityObject {\n  id\n  type\n  name\n  content\n  url\n  mediaType\n  summary\n  json\n}\n\nfragment ActivityFields on Activity {\n  id\n  type\n  platform\n  published\n  cursor\n  actor {\n    ...ActivityObjectFields\n  }\n  object {\n    ...ActivityObjectFields\n  }\n  target {\n    ...ActivityObjectFields\n  }\n  json\n}"): (typeof documents)["fragment ActivityObjectFields on ActivityObject {\n  id\n  type\n  name\n  content\n  url\n  mediaType\n  summary\n  json\n}\n\nfragment ActivityFields on Activity {\n  id\n  type\n  platform\n  published\n  cursor\n  actor {\n    ...ActivityObjectFields\n  }\n  object {\n    ...ActivityObjectFields\n  }\n  target {\n    ...ActivityObjectFields\n  }\n  json\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation OpenSession {\n  openSession {\n    token\n    expiresAt\n  }\n}\n\nmutation CloseSession {\n  closeSession\n}\n\nmutation SetCredentials($platform: String!, $actor: String!, $credentials: JSON!) {\n  setCredentials(platform: $platform, actor: $actor, credentials: $credentials)\n}\n\nquery Session {\n  session {\n    id\n    actors\n    expiresAt\n  }\n}\n\nquery Platforms {\n  platforms {\n    id\n    verbs\n    persistent\n    credentialsSchema\n  }\n}"): (typeof documents)["mutation OpenSession {\n  openSession {\n    token\n    expiresAt\n  }\n}\n\nmutation CloseSession {\n  closeSession\n}\n\nmutation SetCredentials($platform: String!, $actor: String!, $credentials: JSON!) {\n  setCredentials(platform: $platform, actor: $actor, credentials: $credentials)\n}\n\nquery Session {\n  session {\n    id\n    actors\n    expiresAt\n  }\n}\n\nquery Platforms {\n  platforms {\n    id\n    verbs\n    persistent\n    credentialsSchema\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Connect($input: ActivityInput!) {\n  connect(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Disconnect($input: ActivityInput!) {\n  disconnect(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Join($input: ActivityInput!) {\n  join(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Leave($input: ActivityInput!) {\n  leave(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Send($input: ActivityInput!) {\n  send(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Update($input: ActivityInput!) {\n  update(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Query($input: ActivityInput!) {\n  query(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Fetch($input: ActivityInput!) {\n  fetch(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation RequestFriend($input: ActivityInput!) {\n  requestFriend(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation RemoveFriend($input: ActivityInput!) {\n  removeFriend(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation MakeFriend($input: ActivityInput!) {\n  makeFriend(input: $input) {\n    ...ActivityFields\n  }\n}"): (typeof documents)["mutation Connect($input: ActivityInput!) {\n  connect(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Disconnect($input: ActivityInput!) {\n  disconnect(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Join($input: ActivityInput!) {\n  join(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Leave($input: ActivityInput!) {\n  leave(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Send($input: ActivityInput!) {\n  send(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Update($input: ActivityInput!) {\n  update(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Query($input: ActivityInput!) {\n  query(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation Fetch($input: ActivityInput!) {\n  fetch(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation RequestFriend($input: ActivityInput!) {\n  requestFriend(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation RemoveFriend($input: ActivityInput!) {\n  removeFriend(input: $input) {\n    ...ActivityFields\n  }\n}\n\nmutation MakeFriend($input: ActivityInput!) {\n  makeFriend(input: $input) {\n    ...ActivityFields\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;