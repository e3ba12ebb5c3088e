import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './api-context.js';

/** `/repos/OWNER/REPO/packages`: the packages linked to a repository. */
export function registerRepositoryRoutes(api: FastifyInstance, ac: ApiContext): void {
  api.get('/repos/:owner/:repo/packages', async (request) => {
    const principal = await ac.principal(request);
    const { owner, repo: name } = request.params as { owner: string; repo: string };
    const repo = await ac.repository(principal, owner, name);
    const packages = await ac.deps.core.packages.queries.listByOwner(repo.ownerId, { repoId: repo.id });
    return Promise.all((await ac.visible(principal, packages)).map((p) => ac.describe(p, request)));
  });
}
