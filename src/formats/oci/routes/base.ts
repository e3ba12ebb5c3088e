import type { FastifyReply, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { parseImageName } from '../names.js';
import { parseScopeRequest, type ImageAction } from '../token.js';
import { queryValues, type RegistryContext } from './registry-context.js';

/** GET `/v2/`: 200 for a caller with valid credentials, else 401 with the token challenge. */
export async function ping(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply) {
  const caller = await rc.access.caller(request);
  if (caller.principal.kind === 'anonymous' && caller.grants === null) throw new KuraError('UNAUTHENTICATED', 'authentication required: get a token from the realm named in WWW-Authenticate');
  return reply.type('application/json').send({});
}

/**
 * GET `/v2/token?service=kura&scope=repository:NAME:ACTIONS…`: a registry token for the caller
 * (Basic user:personal-access-token, or nobody) granting the requested actions it is allowed,
 * and no others. Anonymous callers get pull on public images only.
 */
export async function issueToken(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply) {
  const principal = await rc.ctx.authenticate(request);
  const scopes = queryValues(request, 'scope');
  const grants = new Map<string, Set<ImageAction>>();
  for (const [name, actions] of parseScopeRequest(scopes)) {
    let image;
    try {
      image = await rc.access.resolve(principal, parseImageName(name));
    } catch {
      continue;
    }
    const allowed = new Set<ImageAction>();
    for (const action of actions) if (await rc.access.permits(principal, image, action)) allowed.add(action);
    if (allowed.size > 0) grants.set(name, allowed);
  }
  const issued = await rc.tokens.issue(principal, grants);
  reply.header('cache-control', 'no-store');
  return reply.type('application/json').send({ token: issued.token, access_token: issued.token, expires_in: issued.expiresIn, issued_at: issued.issuedAt });
}
