import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import type { Owner } from '../../../core/owners/owner.js';
import type { RepoChanges, Repository, Visibility } from '../../../core/repos/repository.js';
import type { ApiContext } from './api-context.js';
import { presentRepository } from './presenters.js';

/**
 * The visibility a body asks for, from GitHub's `visibility` ("public" or "private") or its
 * `private` flag; undefined when it names none.
 * @throws KuraError BAD_REQUEST for other values, or when the two disagree
 */
function requestedVisibility(body: Record<string, unknown>): Visibility | undefined {
  const { visibility, private: isPrivate } = body;
  if (visibility !== undefined && visibility !== 'public' && visibility !== 'private') throw new KuraError('BAD_REQUEST', '"visibility" must be "public" or "private"');
  if (isPrivate !== undefined && typeof isPrivate !== 'boolean') throw new KuraError('BAD_REQUEST', '"private" must be true or false');
  const fromFlag = isPrivate === undefined ? undefined : isPrivate ? 'private' : 'public';
  if (visibility !== undefined && fromFlag !== undefined && visibility !== fromFlag) throw new KuraError('BAD_REQUEST', '"visibility" and "private" disagree');
  return visibility ?? fromFlag;
}

/** @throws KuraError BAD_REQUEST unless the description is a string, null or absent */
function requestedDescription(body: Record<string, unknown>): string | null | undefined {
  const { description } = body;
  if (description !== undefined && description !== null && typeof description !== 'string') throw new KuraError('BAD_REQUEST', '"description" must be a string or null');
  return description;
}

/**
 * Repositories, shaped like GitHub's REST API: `GET`/`PATCH /repos/OWNER/REPO`, `POST /user/repos`
 * and `POST /orgs/ORG/repos`, the lists `GET /users/OWNER/repos` and `GET /orgs/ORG/repos` (what
 * the caller may see), and `GET /repos/OWNER/REPO/packages` (its linked packages, filtered and
 * paged as an owner's packages are).
 */
export function registerRepositoryRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core, urls } = ac.deps;
  const repoParams = (request: FastifyRequest) => request.params as { owner: string; repo: string };
  const ownerOf = async (repo: Repository): Promise<Owner> => (await core.owners.findById(repo.ownerId))!;

  api.get('/repos/:owner/:repo', async (request) => {
    const principal = await ac.principal(request);
    const repo = await ac.repository(principal, repoParams(request).owner, repoParams(request).repo);
    return presentRepository(repo, await ownerOf(repo), urls.base(request));
  });

  api.patch('/repos/:owner/:repo', async (request) => {
    const principal = await ac.principal(request);
    const repo = await ac.repository(principal, repoParams(request).owner, repoParams(request).repo);
    const body = ac.objectBody(request);
    if (body['name'] !== undefined && body['name'] !== repo.name) throw new KuraError('BAD_REQUEST', 'repositories cannot be renamed');
    const changes: RepoChanges = { visibility: requestedVisibility(body), description: requestedDescription(body) };
    const updated = await core.repos.update(repo, changes, principal);
    return presentRepository(updated, await ownerOf(updated), urls.base(request));
  });

  const create = async (request: FastifyRequest, owner: Owner) => {
    const principal = await ac.user(request);
    const body = ac.objectBody(request);
    if (typeof body['name'] !== 'string') throw new KuraError('BAD_REQUEST', '"name" is required');
    const description = requestedDescription(body);
    const repo = await core.repos.create({ fullName: `${owner.login}/${body['name']}`, visibility: requestedVisibility(body), description: description ?? undefined }, principal);
    return presentRepository(repo, owner, urls.base(request));
  };

  api.post('/user/repos', async (request, reply) => {
    const principal = await ac.user(request);
    return reply.status(201).send(await create(request, principal.user));
  });

  api.post('/orgs/:org/repos', async (request, reply) => {
    const owner = await ac.owner('orgs', (request.params as { org: string }).org, await ac.principal(request));
    return reply.status(201).send(await create(request, owner));
  });

  for (const scope of ['users', 'orgs'] as const) {
    api.get(`/${scope}/:owner/repos`, async (request) => {
      const principal = await ac.principal(request);
      const owner = await ac.owner(scope, (request.params as { owner: string }).owner, principal);
      return (await core.repos.listVisible(owner, principal)).map((repo) => presentRepository(repo, owner, urls.base(request)));
    });
  }

  api.get('/repos/:owner/:repo/packages', async (request, reply) => {
    const principal = await ac.principal(request);
    const repo = await ac.repository(principal, repoParams(request).owner, repoParams(request).repo);
    return ac.listPackages(request, reply, principal, await ownerOf(repo), repo.id);
  });
}
