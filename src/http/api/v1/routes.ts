import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { KuraError } from '../../../core/errors/catalogue.js';
import { guardWriteBodies, jsonBody } from '../../../delivery/accepted-bodies.js';
import { registerAdvisoryRoutes } from './advisory-routes.js';
import { registerAlertRoutes } from './alert-routes.js';
import { ApiContext, type ApiDeps } from './api-context.js';
import { registerAuditLogRoutes } from './audit-log-routes.js';
import { registerCollaboratorRoutes } from './collaborator-routes.js';
import { registerHookRoutes } from './hook-routes.js';
import { ApiDescription } from './openapi.js';
import { access, operation } from './operations.js';
import { registerOrgMemberRoutes } from './org-member-routes.js';
import { registerOwnerRoutes } from './owner-routes.js';
import { registerPackageAccessRoutes } from './package-access-routes.js';
import { registerPackageRoutes } from './package-routes.js';
import { registerRepositoryRoutes } from './repository-routes.js';
import { componentSchemas } from './schemas.js';
import { registerUserRoutes } from './user-routes.js';
import { serializeResponsesLazily } from './serialization.js';
import { validateRequests } from './validation.js';

export type { ApiDeps };
export type { OpenApiDocument } from './openapi.js';

/** Where the API is mounted. */
export const apiPrefix = '/api/v1';

/**
 * The REST API at /api/v1: JSON in and out, errors as `{ "error": { "code", "message" } }`.
 * Accepts a token (`Authorization: Bearer …`) or Basic with a password. Writes take a JSON body
 * or none: any other body (a cross-site form, text/plain) is refused with 415 before it is read.
 * Every route declares its schema: requests are validated by it, responses serialized by it, and
 * the OpenAPI document (`GET /api/v1/openapi.json`) is made from them.
 * @returns the API's description, whose document is complete once the scope is registered
 */
/**
 * Where a parsed body holds a NUL character (U+0000), which no text Kura stores may contain
 * (PostgreSQL refuses it): the field as a message names it (`"config.secret"`), `a field name`,
 * or null. Walks without recursion, so nesting depth does not matter.
 */
function nulIn(body: unknown): string | null {
  interface Place { key: string; parent: Place | null }
  const stack: Array<[unknown, Place | null]> = [[body, null]];
  while (stack.length > 0) {
    const [value, place] = stack.pop()!;
    if (typeof value === 'string') {
      if (!value.includes('\u0000')) continue;
      const path: string[] = [];
      for (let p = place; p; p = p.parent) path.push(p.key);
      if (path.length === 0) return 'the body';
      const shown = path.reverse().slice(0, 8).map((key) => (key.length > 60 ? `${key.slice(0, 60)}…` : key));
      return `"${shown.join('.')}${path.length > 8 ? '…' : ''}"`;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return 'a field name';
        stack.push([item, { key, parent: place }]);
      }
    }
  }
  return null;
}

export function registerApiV1(api: FastifyInstance, deps: ApiDeps): ApiDescription {
  api.removeAllContentTypeParsers();
  guardWriteBodies(api, jsonBody);
  api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, text, done) => {
    if (text === '' || text === undefined) return done(null, {});
    let body: unknown;
    try {
      body = JSON.parse(String(text));
    } catch {
      return done(new KuraError('MALFORMED_JSON', 'the request body is not valid JSON'), undefined);
    }
    const nul = String(text).includes('\\u0000') ? nulIn(body) : null;
    if (nul !== null) return done(new KuraError('BAD_REQUEST', `${nul} may not contain a NUL character`), undefined);
    done(null, body);
  });
  // A write sent without a body is one with an empty object, which its schema then judges.
  api.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) request.body = {};
  });

  const components = componentSchemas(deps.formats.all.map((f) => f.id));
  for (const schema of components) api.addSchema(schema);
  validateRequests(api, components);
  serializeResponsesLazily(api, components);
  const description = new ApiDescription(apiPrefix, components);
  description.collect(api);

  const ac = new ApiContext(deps);
  registerUserRoutes(api, ac);
  registerOwnerRoutes(api, ac);
  registerPackageRoutes(api, ac);
  registerRepositoryRoutes(api, ac);
  registerAdvisoryRoutes(api, ac);
  registerAlertRoutes(api, ac);
  registerCollaboratorRoutes(api, ac);
  registerOrgMemberRoutes(api, ac);
  registerPackageAccessRoutes(api, ac);
  registerHookRoutes(api, ac);
  registerAuditLogRoutes(api, ac);

  let served: string | null = null;
  api.get('/openapi.json', operation({
    operationId: 'meta/openapi',
    summary: 'This API’s OpenAPI 3.1 document',
    description: 'Generated from the schemas the routes validate requests with; also rendered at `/api/docs`.',
    tags: ['meta'],
    security: access.anyone(),
    response: { 200: Type.Object({}, { additionalProperties: true, description: 'The OpenAPI 3.1 document.' }) },
  }), async (_request, reply) => {
    served ??= JSON.stringify(description.document());
    return reply.type('application/json; charset=utf-8').send(served);
  });
  return description;
}
