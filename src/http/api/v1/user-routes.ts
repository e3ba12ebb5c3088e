import type { FastifyInstance } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { parseExpiresIn } from '../../../core/tokens/token-service.js';
import type { ApiContext } from './api-context.js';
import { presentOwner, presentToken } from './presenters.js';

/** `/user` and the caller's personal access tokens. */
export function registerUserRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core } = ac.deps;

  api.get('/user', async (request) => presentOwner((await ac.user(request)).user));

  api.get('/user/tokens', async (request) => {
    const principal = await ac.user(request);
    return (await core.tokens.list(principal.user.id)).map(presentToken);
  });

  api.post('/user/tokens', async (request, reply) => {
    const principal = await ac.principal(request);
    const body = (request.body ?? {}) as { name?: unknown; scopes?: unknown; expires_in?: unknown; repository?: unknown };
    if (!Array.isArray(body.scopes) && typeof body.scopes !== 'string') throw new KuraError('BAD_REQUEST', '"scopes" is required, e.g. ["read:packages"]');
    const { token, record } = await core.tokenIssuer.issue(principal, {
      name: typeof body.name === 'string' ? body.name : undefined,
      scopes: body.scopes as string[] | string,
      expiresAt: typeof body.expires_in === 'string' ? parseExpiresIn(body.expires_in, core.deps.now()) : null,
      repository: typeof body.repository === 'string' ? body.repository : null,
    });
    return reply.status(201).send({ ...presentToken(record), token });
  });

  api.delete('/user/tokens/:id', async (request, reply) => {
    const principal = await ac.user(request);
    const { id } = request.params as { id: string };
    await core.tokens.revoke(Number(id), principal.user.id, principal.user.id);
    return reply.status(204).send();
  });
}
