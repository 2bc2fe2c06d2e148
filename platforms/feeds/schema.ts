// What a feed fetch accepts, checked (Ajv) before the activity is queued: a violation is
// BAD_USER_INPUT naming the field. Parameters arrive as `object.extra`, which the API merges into
// the object, so `extra: {limit: 10}` is checked here as `object.limit`.
import type { JSONSchemaType } from '../../src/platform/json-schema.js';

const isoDate = (what: string): JSONSchemaType => ({
  description: `${what} (ISO 8601: a date-time with a zone, or a date, read as midnight UTC)`,
  anyOf: [{ type: 'string', format: 'date-time' }, { type: 'string', format: 'date' }],
});

export const verbSchemas: Record<string, JSONSchemaType> = {
  fetch: {
    type: 'object',
    required: ['actor'],
    properties: {
      actor: {
        type: 'object',
        required: ['id', 'type'],
        properties: {
          id: { type: 'string', format: 'uri', maxLength: 4096, description: 'the address of the feed (RSS, RDF, Atom or JSON Feed)' },
          type: { const: 'feed' },
        },
      },
      object: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { const: 'parameters' },
          limit: { type: 'integer', minimum: 1, description: 'keep the first N entries (after since/before and offset)' },
          offset: { type: 'integer', minimum: 0, description: 'skip the first N entries (after since/before): paging with limit' },
          since: isoDate('keep entries published at or after this instant'),
          before: isoDate('keep entries published before this instant'),
        },
      },
    },
  },
};
