import type { FastifyInstance } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { guardWriteBodies, jsonBody } from '../../../delivery/accepted-bodies.js';
import { registerAdvisoryRoutes } from './advisory-routes.js';
import { registerAlertRoutes } from './alert-routes.js';
import { ApiContext, type ApiDeps } from './api-context.js';
import { registerAuditLogRoutes } from './audit-log-routes.js';
import { registerCollaboratorRoutes } from './collaborator-routes.js';
import { registerHookRoutes } from './hook-routes.js';
import { registerOrgMemberRoutes } from './org-member-routes.js';
import { registerOwnerRoutes } from './owner-routes.js';
import { registerPackageAccessRoutes } from './package-access-routes.js';
import { registerPackageRoutes } from './package-routes.js';
import { registerRepositoryRoutes } from './repository-routes.js';
import { registerUserRoutes } from './user-routes.js';

export type { ApiDeps };

/**
 * The REST API at /api/v1: JSON in and out, errors as `{ "error": { "code", "message" } }`.
 * Accepts a token (`Authorization: Bearer …`) or Basic with a password. Writes take a JSON body
 * or none: any other body (a cross-site form, text/plain) is refused with 415 before it is read.
 */
export async function registerApiV1(api: FastifyInstance, deps: ApiDeps): Promise<void> {
  api.removeAllContentTypeParsers();
  guardWriteBodies(api, jsonBody);
  api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, text, done) => {
    if (text === '' || text === undefined) return done(null, {});
    try {
      done(null, JSON.parse(String(text)));
    } catch {
      done(new KuraError('MALFORMED_JSON', 'the request body is not valid JSON'), undefined);
    }
  });
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
}
