import type { FastifyInstance } from 'fastify';
import { ownerTarget } from '../../../core/access/access-policy.js';
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
    await core.access.authorizeTokenCreation(principal, null);
    const body = (request.body ?? {}) as { name?: unknown; scopes?: unknown; expires_in?: unknown; repository?: unknown };
    if (!Array.isArray(body.scopes) && typeof body.scopes !== 'string') throw new KuraError('BAD_REQUEST', '"scopes" is required, e.g. ["read:packages"]');
    const expiresAt = typeof body.expires_in === 'string' ? parseExpiresIn(body.expires_in, core.deps.now()) : null;
    let repoId: number | null = null;
    if (typeof body.repository === 'string') {
      const repo = await core.repos.require(body.repository);
      const owner = (await core.owners.findById(repo.ownerId))!;
      await core.access.authorizeTokenCreation(principal, { owner: ownerTarget(owner), repo });
      repoId = repo.id;
    }
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', 'authentication required');
    const { token, record } = await core.tokens.create({
      userId: principal.user.id,
      name: typeof body.name === 'string' ? body.name : undefined,
      scopes: body.scopes as string[] | string,
      expiresAt,
      repoId,
    }, principal.user.id);
    return reply.status(201).send({ ...presentToken(record), token });
  });

  api.delete('/user/tokens/:id', async (request, reply) => {
    const principal = await ac.user(request);
    const { id } = request.params as { id: string };
    await core.tokens.revoke(Number(id), principal.user.id, principal.user.id);
    return reply.status(204).send();
  });
}
