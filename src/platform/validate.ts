// JSON Schema checks with Ajv: one compiled validator per schema, errors that name the field.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { HubError } from '../errors.js';
import type { JSONSchemaType } from './json-schema.js';

const ajv = new Ajv2020({ allErrors: false, strict: false, useDefaults: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

export type Check = (value: unknown, what: string) => void;

export function compileSchema(schema: JSONSchemaType): Check {
  const validate = ajv.compile(schema);
  return (value, what) => {
    if (validate(value)) return;
    const err = validate.errors?.[0];
    if (!err) throw new HubError('BAD_USER_INPUT', `${what} is invalid`);
    const missing = typeof err.params?.missingProperty === 'string' ? err.params.missingProperty : undefined;
    const extra = typeof err.params?.additionalProperty === 'string' ? err.params.additionalProperty : undefined;
    const path = err.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const field = [path, missing ?? extra].filter(Boolean).join('.') || what;
    const message = missing
      ? `${what}: "${field}" is required`
      : extra
        ? `${what}: "${field}" is not an allowed property`
        : `${what}: "${field}" ${err.message ?? 'is invalid'}`;
    throw new HubError('BAD_USER_INPUT', message, { field });
  };
}
