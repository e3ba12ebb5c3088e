import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';

// ajv-formats is CommonJS with `exports.default`: under NodeNext its function is the default's default.
const addFormats = ajvFormats.default.default;

/**
 * Validates the API's requests by the routes' schemas, with two rules Fastify's defaults break:
 * bodies are never coerced (`"private": "true"` is not a boolean) and nothing is removed or
 * filled in (a handler sees the body that was sent). Query strings and path parameters are text,
 * so they are coerced to the schema's types (`per_page=50` is the integer 50; a parameter given
 * twice is a list, which a scalar refuses). A refusal is a BAD_REQUEST naming the field.
 */
export function validateRequests(api: FastifyInstance, shared: readonly object[]): void {
  const common: Options = { allErrors: false, removeAdditional: false, useDefaults: false, verbose: true, strict: true, strictTypes: false, strictTuples: false };
  const ajvs = {
    body: new Ajv({ ...common, coerceTypes: false }),
    text: new Ajv({ ...common, coerceTypes: 'array' }),
  };
  for (const ajv of Object.values(ajvs)) {
    addFormats(ajv);
    for (const schema of shared) ajv.addSchema(schema);
  }
  // Each validator is compiled on its route's first request, not at start-up.
  const compile: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? ajvs.body : ajvs.text;
    let validate: ValidateFunction | null = null;
    const lazy = (data: unknown) => {
      validate ??= ajv.compile(schema);
      const valid = validate(data);
      lazy.errors = validate.errors;
      return valid;
    };
    lazy.errors = null as ValidateFunction['errors'];
    return lazy;
  };
  api.setValidatorCompiler(compile);
  api.setSchemaErrorFormatter((errors, part) => {
    // Fastify calls this outside the request's error handling: it must never throw.
    try {
      return new KuraError('BAD_REQUEST', describeError(errors[0] as ErrorObject | undefined, part));
    } catch {
      return new KuraError('BAD_REQUEST', `the request's ${part} is invalid`);
    }
  });
}

const typeWords: Record<string, string> = {
  string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false', object: 'an object', array: 'a list', null: 'null',
};

/** `a, b or c`. */
function either(values: readonly unknown[]): string {
  const words = values.map(String);
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** Longest text of a refused value a message repeats. */
const shownLength = 60;

/**
 * A refused value as a message shows it: short scalars as sent, long text cut, and objects and
 * lists by their kind only, so a message stays short (and is made without recursing) however
 * large or deeply nested the value is.
 */
function shownValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > shownLength ? `${value.slice(0, shownLength)}…` : value}"`;
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = String(value);
  return text.length > shownLength ? `${text.slice(0, shownLength)}…` : text;
}

const formatWords: Record<string, string> = { date: 'a day as YYYY-MM-DD', 'date-time': 'an ISO 8601 time', uri: 'a URL' };

/** The sentence a refusal says, naming the field (`"per_page"`, `"config.url"`) and what it must be. */
export function describeError(error: ErrorObject | undefined, part: string): string {
  if (!error) return `the request's ${part} is invalid`;
  const path = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') {
    path.push(String((error.params as { additionalProperty: string }).additionalProperty));
    const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
    return `"${path.join('.')}" is not a field ${part === 'body' ? 'of this body' : `of the ${part}`}${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`;
  }
  if (path.length === 0) return part === 'body' ? `the body must be ${typeWords[String((error.params as { type?: string }).type)] === 'an object' ? 'a JSON object' : 'valid'}` : `the ${part} is invalid`;
  const name = `"${path.join('.')}"`;
  const schema = (error.parentSchema ?? {}) as { type?: string | string[]; minimum?: number; maximum?: number; minLength?: number; maxLength?: number; format?: string };
  const value = error.data;
  const shown = shownValue(value);
  const types = [schema.type ?? []].flat();
  const wholeNumber = types.includes('integer') && schema.minimum !== undefined
    ? `${name} must be a whole number from ${schema.minimum}${schema.maximum !== undefined ? ` to ${schema.maximum}` : ' up'}, not ${shown}` : null;
  switch (error.keyword) {
    case 'required':
      return `${name} is required`;
    case 'type':
      if (part !== 'body' && Array.isArray(value) && !types.includes('array')) return `${name} may be given once`;
      return wholeNumber ?? `${name} must be ${either(types.map((t) => typeWords[t] ?? t))}, not ${shown}`;
    case 'minimum':
    case 'maximum':
      return wholeNumber ?? `${name} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${(error.params as { limit: number }).limit}`;
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      return `${name} must be ${allowed.length > 2 ? `one of ${allowed.join(', ')}` : either(allowed)}, not ${shown}`;
    }
    case 'const':
      return `${name} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    case 'minLength':
    case 'maxLength':
      return schema.minLength !== undefined && schema.maxLength !== undefined
        ? `${name} must be ${schema.minLength} to ${schema.maxLength} characters`
        : `${name} must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${(error.params as { limit: number }).limit} characters`;
    case 'minItems':
      return `${name} may not be empty`;
    case 'format':
      return `${name} must be ${formatWords[String(schema.format)] ?? String(schema.format)}, not ${shown}`;
    default:
      return `${name} ${error.message ?? 'is invalid'}`;
  }
}
