import type { FastifyRequest } from 'fastify';
import { challengeScope } from './routes/registry-path.js';

/** The service name in challenges and tokens. */
export const registryService = 'kura';

/** The token realm (`BASE/v2/token`) per request, noted when the request arrives. */
const realms = new WeakMap<FastifyRequest, string>();

/** Notes the token realm for `request` (the registry's base URL depends on configuration and Host). */
export function noteRealm(request: FastifyRequest, realm: string): void {
  realms.set(request, realm);
}

/**
 * The `WWW-Authenticate` value for a 401 on `request`: Basic on the token endpoint itself (it
 * takes user and personal access token), else the Bearer challenge of the token flow with the
 * scope the request needs.
 */
export function challengeFor(request: FastifyRequest): string {
  const path = request.url.split('?')[0];
  if (path === '/v2/token') return `Basic realm="${registryService}"`;
  const realm = realms.get(request) ?? `${request.protocol}://${request.headers.host ?? 'localhost'}/v2/token`;
  const scope = challengeScope(request.method, request.url);
  return `Bearer realm="${realm}",service="${registryService}"${scope ? `,scope="${scope}"` : ''}`;
}
