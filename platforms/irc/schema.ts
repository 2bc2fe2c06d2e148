// Credentials and verb shapes, checked by the API before anything is queued. Verb code checks
// again what a schema cannot say (that an id names this connection's server).
import type { JSONSchemaType } from '../../src/platform/json-schema.js';
import { CHANNEL_PATTERN, NICK_PATTERN } from './translate.js';

/** no CR, LF or NUL: every field ends up on a protocol line */
const ONE_LINE = '^[^\\r\\n\\0]*$';

export const credentialsSchema: JSONSchemaType = {
  type: 'object',
  properties: {
    nick: { type: 'string', minLength: 1, maxLength: 64, pattern: NICK_PATTERN, description: 'the nick to register; the actor id is nick@server' },
    server: {
      type: 'string',
      minLength: 1,
      maxLength: 253,
      pattern: '^([A-Za-z0-9]([A-Za-z0-9-]{0,62}\\.)*[A-Za-z0-9-]{1,63}\\.?|[0-9A-Fa-f:.]+|\\[[0-9A-Fa-f:.]+\\])$',
      description: 'host name or IP address of the IRC server; ids end with @server exactly as written here',
    },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'default 6697 with TLS, 6667 without' },
    secure: { type: 'boolean', default: true, description: 'TLS (default true), with the certificate verified against the server name' },
    password: { type: 'string', minLength: 1, maxLength: 512, pattern: ONE_LINE, description: 'server password (PASS); with sasl, the account password instead' },
    sasl: { type: 'boolean', description: 'log in with SASL PLAIN as username (default: the nick) with password; connect fails when the server refuses or does not offer SASL' },
    username: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^\\s@\\0]+$', description: 'the user (ident) part; default: the nick' },
    realname: { type: 'string', minLength: 1, maxLength: 256, pattern: ONE_LINE, description: 'the real name (gecos); default: the nick' },
  },
  required: ['nick', 'server'],
  additionalProperties: false,
};

const idOf = (pattern: string, description: string): JSONSchemaType => ({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern, description } },
});
const ROOM = idOf(`^${CHANNEL_PATTERN.slice(1, -1)}@[^@\\s]+$`, '#chan@server');
const PERSON = idOf(`^${NICK_PATTERN.slice(1, -1)}@[^@\\s]+$`, 'nick@server');
const ROOM_OR_PERSON: JSONSchemaType = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$', description: '#chan@server or nick@server' } } };

export const verbSchemas: Record<string, JSONSchemaType> = {
  join: {
    type: 'object',
    required: ['target'],
    properties: {
      target: {
        ...ROOM,
        properties: { ...ROOM.properties, key: { type: 'string', pattern: '^[^\\s,\\0]{1,64}$', description: 'the channel key (+k), when it has one' } },
      },
    },
  },
  leave: { type: 'object', required: ['target'], properties: { target: ROOM } },
  send: {
    type: 'object',
    required: ['target', 'object'],
    properties: {
      target: ROOM_OR_PERSON,
      object: {
        type: 'object',
        required: ['type', 'content'],
        properties: { type: { enum: ['message', 'me', 'notice'] }, content: { type: 'string', minLength: 1, maxLength: 65536 } },
      },
    },
  },
  update: {
    type: 'object',
    required: ['object'],
    properties: {
      object: {
        type: 'object',
        required: ['type'],
        properties: { type: { enum: ['address', 'topic', 'presence'] }, content: { type: 'string', maxLength: 4096 } },
      },
    },
    allOf: [
      { if: { properties: { object: { properties: { type: { const: 'address' } } } } }, then: { required: ['target'], properties: { target: PERSON } } },
      { if: { properties: { object: { properties: { type: { const: 'topic' } } } } }, then: { required: ['target'], properties: { target: ROOM } } },
    ],
  },
  query: {
    type: 'object',
    required: ['target', 'object'],
    properties: { target: ROOM, object: { type: 'object', required: ['type'], properties: { type: { const: 'attendance' } } } },
  },
};
