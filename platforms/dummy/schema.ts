import type { JSONSchemaType } from '../../src/platform/json-schema.js';

export const credentialsSchema: JSONSchemaType = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64, description: 'display name of the session' },
    secret: { type: 'string', description: 'a password stand-in: part of what makes two credentials identical' },
    connectDelayMs: { type: 'integer', minimum: 0, maximum: 60000, description: 'how long connect takes' },
    refuse: { type: 'boolean', description: 'connect fails with PLATFORM_ERROR, as a wrong password would' },
  },
  required: ['name'],
  additionalProperties: false,
};

export const verbSchemas: Record<string, JSONSchemaType> = {
  fetch: {
    type: 'object',
    required: ['object'],
    properties: {
      object: {
        type: 'object',
        required: ['type'],
        properties: { type: { enum: ['echo', 'fail', 'sleep', 'spin'] }, ms: { type: 'integer', minimum: 0, maximum: 600000 } },
      },
    },
  },
  send: {
    type: 'object',
    required: ['object'],
    properties: {
      object: {
        type: 'object',
        required: ['type', 'content'],
        properties: { content: { type: 'string' }, repeat: { type: 'integer', minimum: 1, maximum: 1000000 }, delayMs: { type: 'integer', minimum: 0, maximum: 60000 } },
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
        properties: { type: { enum: ['crash', 'presence'] }, mode: { enum: ['throw', 'exit', 'hang'] } },
      },
    },
  },
};
