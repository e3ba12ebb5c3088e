import type { TSchema } from '@sinclair/typebox';
import { errorCatalogue } from '../../../core/errors/catalogue.js';
import { Ref } from './schemas.js';

/**
 * What every REST API route declares: its Fastify `schema`, which validates the request, shapes
 * the response and is the OpenAPI document's operation. A route without one (or missing any of
 * `operationId`, `summary`, `tags`, `security`, `response`) stops the server from starting.
 */

/** The API's groups of operations, in the document's order, with what each covers. */
export const apiTags = {
  users: 'The caller, users, and what site admins do to them.',
  orgs: 'Organizations and their members.',
  packages: 'Packages and versions of users, organizations and the caller, shaped like GitHub’s packages API.',
  'package-access': 'Who may use a package: its repository link and the roles of a package with access of its own.',
  repos: 'Repositories and their linked packages.',
  collaborators: 'A repository’s collaborators and their roles.',
  tokens: 'The caller’s personal access tokens.',
  'security-advisories': 'Security advisories of repositories, and every published one (also as OSV).',
  dependabot: 'Alerts on a repository whose packages depend on affected versions.',
  webhooks: 'Webhooks of repositories, organizations and the site, and their deliveries.',
  'audit-log': 'The audit log of an organization or the whole site.',
  meta: 'This document.',
} as const;

export type ApiTag = keyof typeof apiTags;

/** Token scopes as OpenAPI 3.1 role names of the `bearerAuth` scheme. */
type Scope = 'read:packages' | 'write:packages' | 'delete:packages' | 'admin';
export type Security = Array<Record<string, string[]>>;

/** Who may call an operation. `{}` in a list means anonymous callers too. */
export const access = {
  /** Anyone; a token (or password) lets the caller see what is not public. */
  anyone: (scope?: Scope): Security => [{}, { bearerAuth: scope ? [scope] : [] }, { basicAuth: [] }],
  /** A signed-in caller: a token (with `scope` when given) or a password. */
  signedIn: (scope?: Scope): Security => [{ bearerAuth: scope ? [scope] : [] }, { basicAuth: [] }],
  /** Administration: a password, or a token with the `admin` scope. */
  administrator: (): Security => [{ bearerAuth: ['admin'] }, { basicAuth: [] }],
} as const;

/** The schema of one API route: Fastify's validation and serialization parts plus the operation's description. */
export interface OperationSchema {
  operationId: string;
  summary: string;
  description?: string;
  tags: ApiTag[];
  security: Security;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** Success answers by status (a 204's schema is {@link NoContent}); the error answers are added by the API scope. */
  response: Record<number | string, TSchema>;
  /** Error statuses this operation can answer beyond those every operation can (see {@link errorResponses}). */
  errors?: number[];
}

/**
 * Route options carrying an operation's schema: `api.get(path, operation({…}), handler)`. Its
 * body's objects admit only the fields they declare, so a misspelt or unsupported field is a 400
 * naming it rather than silently ignored (`{"visibilty": "private"}` changes nothing otherwise).
 */
export function operation(schema: OperationSchema): { schema: OperationSchema } {
  return { schema: schema.body ? { ...schema, body: closedObjects(schema.body) } : schema };
}

/**
 * `schema` with `additionalProperties: false` on every object that declares its properties and
 * says nothing about others (objects that admit any field say so, and references are left alone).
 */
export function closedObjects<T extends TSchema>(schema: T): T {
  const copy = { ...schema } as Record<string | symbol, unknown>;
  const properties = schema['properties'] as Record<string, TSchema> | undefined;
  if (properties) {
    copy['properties'] = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, closedObjects(property)]));
    if (schema['additionalProperties'] === undefined) copy['additionalProperties'] = false;
  }
  if (schema['items'] && typeof schema['items'] === 'object' && !Array.isArray(schema['items'])) copy['items'] = closedObjects(schema['items'] as TSchema);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(schema[key])) copy[key] = (schema[key] as TSchema[]).map((s) => closedObjects(s));
  }
  return copy as T;
}

const writeMethods: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What an error status means here: the catalogue's codes with that status. */
function errorDescription(status: number): string {
  const codes = Object.entries(errorCatalogue).filter(([, entry]) => entry.status === status);
  return codes.map(([code, entry]) => `\`${code}\`: ${entry.summary}`).join(' ');
}

/**
 * The error answers of an operation, each `{ "error": { "code", "message" } }`: every operation
 * can answer 400 (a parameter or body the schema refuses), 401 (credentials that are unknown,
 * expired or revoked, or none where they are needed), 403 (a permission or scope is missing), 404
 * (missing, or not for this caller to see) and 500; writes also 413 and 415; plus the operation's
 * own `extra` statuses, and `default` for anything else (503).
 */
export function errorResponses(method: string, extra: readonly number[] = []): Record<string, TSchema> {
  const statuses = new Set([400, 401, 403, 404, 500, ...(writeMethods.has(method) ? [413, 415] : []), ...extra]);
  const responses: Record<string, TSchema> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) responses[String(status)] = Ref('Error', { description: errorDescription(status) });
  responses['default'] = Ref('Error', { description: 'Any other error.' });
  return responses;
}
