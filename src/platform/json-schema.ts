/** The JSON Schema subset hubgraph platforms write (draft 2020-12 keywords, checked by Ajv). */
export type JSONSchemaType = {
  type?: string | string[];
  properties?: Record<string, JSONSchemaType>;
  required?: string[];
  additionalProperties?: boolean | JSONSchemaType;
  items?: JSONSchemaType;
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  description?: string;
  default?: unknown;
  oneOf?: JSONSchemaType[];
  anyOf?: JSONSchemaType[];
  [keyword: string]: unknown;
};
