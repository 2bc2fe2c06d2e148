// Verb shapes, checked before a job is queued. The metadata platform takes no credentials.
import type { JSONSchemaType } from '../../src/platform/json-schema.js';

export const verbSchemas: Record<string, JSONSchemaType> = {
  fetch: {
    type: 'object',
    required: ['actor'],
    properties: {
      actor: {
        type: 'object',
        required: ['id', 'type'],
        properties: {
          id: { type: 'string', pattern: '^[hH][tT][tT][pP][sS]?://[^/?#\\s]+', maxLength: 8192, description: 'the http(s) URL of the page' },
          type: { const: 'website' },
        },
      },
    },
  },
};
