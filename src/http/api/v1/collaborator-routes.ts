import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { collaboratorAffiliations, type CollaboratorAffiliation, type RepoRole } from '../../../core/repos/repository.js';
import type { ApiContext } from './api-context.js';
import { presentCollaborator, presentPermission } from './presenters.js';

/** Kura's roles, and GitHub's names for them (`pull`, `push`). */
const permissions: ReadonlyMap<string, RepoRole> = new Map([['read', 'read'], ['pull', 'read'], ['write', 'write'], ['push', 'write'], ['admin', 'admin']]);

/** @throws KuraError BAD_REQUEST for anything but a known permission; absent means `write` (GitHub's default, `push`) */
function requestedRole(value: unknown): RepoRole {
  if (value === undefined) return 'write';
  const role = typeof value === 'string' ? permissions.get(value) : undefined;
  if (!role) throw new KuraError('BAD_REQUEST', '"permission" must be read, write or admin (or pull, push)');
  return role;
}

/**
 * A repository's collaborators, shaped like GitHub's: `GET /repos/OWNER/REPO/collaborators[?affiliation=all|direct|outside]`,
 * `GET …/collaborators/USER` (204 when USER has a role), `PUT …/collaborators/USER {"permission"}` (201 added, 200 changed),
 * `DELETE …/collaborators/USER` (204), `GET …/collaborators/USER/permission`. Writers see, admins change.
 */
export function registerCollaboratorRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core } = ac.deps;
  const params = (request: FastifyRequest) => request.params as { owner: string; repo: string; user?: string };
  const target = async (request: FastifyRequest) => {
    const principal = await ac.principal(request);
    const repo = await ac.repository(principal, params(request).owner, params(request).repo);
    return { principal, repo, user: params(request).user ?? '' };
  };

  api.get('/repos/:owner/:repo/collaborators', async (request) => {
    const { principal, repo } = await target(request);
    const { affiliation = 'all' } = request.query as { affiliation?: string };
    if (!collaboratorAffiliations.includes(affiliation as CollaboratorAffiliation)) throw new KuraError('BAD_REQUEST', `"affiliation" must be one of ${collaboratorAffiliations.join(', ')}`);
    return (await core.repos.collaborators(repo, principal, affiliation as CollaboratorAffiliation)).map(presentCollaborator);
  });

  api.get('/repos/:owner/:repo/collaborators/:user', async (request, reply) => {
    const { principal, repo, user } = await target(request);
    const { role } = await core.repos.permissionOf(repo, user, principal);
    if (role === 'none') throw new KuraError('NOT_FOUND', `${user} is not a collaborator on ${repo.fullName}`);
    return reply.status(204).send();
  });

  api.get('/repos/:owner/:repo/collaborators/:user/permission', async (request) => {
    const { principal, repo, user } = await target(request);
    const permission = await core.repos.permissionOf(repo, user, principal);
    return presentPermission(permission.user, permission.role);
  });

  api.put('/repos/:owner/:repo/collaborators/:user', async (request, reply) => {
    const { principal, repo, user } = await target(request);
    const role = requestedRole(ac.objectBody(request)['permission']);
    const { collaborator, created } = await core.repos.setCollaborator(repo, user, role, principal);
    return reply.status(created ? 201 : 200).send(presentCollaborator(collaborator));
  });

  api.delete('/repos/:owner/:repo/collaborators/:user', async (request, reply) => {
    const { principal, repo, user } = await target(request);
    await core.repos.removeCollaborator(repo, user, principal);
    return reply.status(204).send();
  });
}
