// Credentials and verb shapes, checked by the API before anything is queued. Verb code checks
// again what a schema cannot say (that an id parses as a JID, that a room is one we are in).
import type { JSONSchemaType } from '../../src/platform/json-schema.js';

/** local@domain, no resource: the local part has no space, @, /, quote or angle bracket. */
const BARE_JID = '^[^\\s@/"&\'<>:]{1,1023}@[^\\s@/]{1,1023}$';
/** any JID: bare, or with a /resource (a room occupant, a contact's resource) */
const ANY_JID = '^([^\\s@/"&\'<>:]{1,1023}@)?[^\\s@/]{1,1023}(/.{1,1023})?$';

export const credentialsSchema: JSONSchemaType = {
  type: 'object',
  properties: {
    userAddress: { type: 'string', minLength: 3, maxLength: 2047, pattern: BARE_JID, description: 'the bare JID (name@domain); it is the actor id' },
    password: { type: 'string', minLength: 1, maxLength: 1024, description: 'the account password (SASL SCRAM-SHA-1, or PLAIN over TLS)' },
    resource: { type: 'string', minLength: 1, maxLength: 1023, pattern: '^[^\\0-\\x1f/]+$', description: 'the resource of this connection; two resources of one account are two connections' },
    server: {
      type: 'string',
      minLength: 1,
      maxLength: 253,
      pattern: '^([A-Za-z0-9]([A-Za-z0-9-]{0,62}\\.)*[A-Za-z0-9-]{1,63}\\.?|[0-9A-Fa-f:.]+|\\[[0-9A-Fa-f:.]+\\])$',
      description: 'host name or IP address to connect to, when it is not the JID\'s domain (no SRV lookup is made)',
    },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'default 5222 (STARTTLS when the server offers it)' },
  },
  required: ['userAddress', 'password', 'resource'],
  additionalProperties: false,
};

const idOf = (pattern: string, description: string): JSONSchemaType => ({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 3071, pattern, description } },
});
const ROOM = idOf(BARE_JID, 'room@conference.server');
const CONTACT = idOf(BARE_JID, 'name@server (a bare JID)');
const ANYONE = idOf(ANY_JID, 'a person, a room, or a room occupant room@service/nick');

export const verbSchemas: Record<string, JSONSchemaType> = {
  join: {
    type: 'object',
    required: ['target'],
    properties: {
      target: { ...ROOM, properties: { ...ROOM.properties, password: { type: 'string', minLength: 1, maxLength: 256, description: 'the room password, when it has one' } } },
      actor: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 64, description: 'the nick in the room (default: the JID\'s local part)' } } },
    },
  },
  leave: { type: 'object', required: ['target'], properties: { target: ROOM } },
  send: {
    type: 'object',
    required: ['target', 'object'],
    properties: {
      target: ANYONE,
      object: {
        type: 'object',
        required: ['type'],
        properties: {
          type: { enum: ['message', 'chat-state'] },
          content: { type: 'string', maxLength: 65536 },
          id: { type: 'string', minLength: 1, maxLength: 128 },
          replace: { type: 'string', minLength: 1, maxLength: 128, description: 'XEP-0308: the id of the earlier message this one corrects' },
        },
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
        properties: {
          type: { enum: ['presence', 'topic', 'address'] },
          content: { type: 'string', maxLength: 4096 },
          presence: { enum: ['online', 'away', 'chat', 'dnd', 'xa', 'offline'] },
        },
      },
    },
    allOf: [
      { if: { properties: { object: { properties: { type: { const: 'topic' } } } } }, then: { required: ['target'], properties: { target: ROOM } } },
      { if: { properties: { object: { properties: { type: { const: 'address' } } } } }, then: { required: ['target'], properties: { target: ANYONE } } },
    ],
  },
  query: {
    type: 'object',
    required: ['target'],
    properties: { target: ROOM, object: { type: 'object', required: ['type'], properties: { type: { enum: ['attendance', 'room-info'] } } } },
  },
  requestFriend: { type: 'object', required: ['target'], properties: { target: CONTACT, object: { type: 'object', properties: { content: { type: 'string', maxLength: 1024 } } } } },
  removeFriend: { type: 'object', required: ['target'], properties: { target: CONTACT } },
  makeFriend: { type: 'object', required: ['target'], properties: { target: CONTACT } },
};
