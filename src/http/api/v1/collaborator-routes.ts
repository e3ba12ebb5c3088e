import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { collaboratorAffiliations, type RepoRole } from '../../../core/repos/repository.js';
import type { ApiContext } from './api-context.js';
import { access, operation } from './operations.js';
import { presentCollaborator, presentPermission } from './presenters.js';
import { repoParams } from './repository-routes.js';
import { ListOf, NoContent, Ref, StringEnum } from './schemas.js';

/** Kura's roles, and GitHub's names for them (`pull`, `push`). */
const permissions: ReadonlyMap<string, RepoRole> = new Map([['read', 'read'], ['pull', 'read'], ['write', 'write'], ['push', 'write'], ['admin', 'admin']]);

const affiliationQuery = Type.Object({
  affiliation: Type.Optional(StringEnum(collaboratorAffiliations, { default: 'all', description: '`direct`: collaborators and the owner; `outside`: collaborators who are not members of the owning organization' })),
});
const collaboratorParams = Type.Object({ ...repoParams.properties, user: Type.String({ description: 'the collaborator’s login' }) });
const permissionBody = Type.Object({
  permission: Type.Optional(StringEnum([...permissions.keys()], { default: 'push', description: 'read, write or admin (or GitHub’s pull, push)' })),
});

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

  api.get('/repos/:owner/:repo/collaborators', operation({
    operationId: 'repos/list-collaborators',
    summary: 'List a repository’s collaborators',
    description: 'Everyone with a role on it (the owner, an organization’s owners and members, its collaborators); seen by those who may write to it.',
    tags: ['collaborators'],
    security: access.signedIn(),
    params: repoParams,
    querystring: affiliationQuery,
    response: { 200: ListOf('Collaborator', 'The collaborators.') },
  }), async (request) => {
    const { principal, repo } = await target(request);
    const { affiliation = 'all' } = request.query as Static<typeof affiliationQuery>;
    return (await core.repos.collaborators(repo, principal, affiliation)).map(presentCollaborator);
  });

  api.get('/repos/:owner/:repo/collaborators/:user', operation({
    operationId: 'repos/check-collaborator',
    summary: 'Whether a user has a role on a repository',
    tags: ['collaborators'],
    security: access.signedIn(),
    params: collaboratorParams,
    response: { 204: NoContent('The user has a role (404 when not).') },
  }), async (request, reply) => {
    const { principal, repo, user } = await target(request);
    const { role } = await core.repos.permissionOf(repo, user, principal);
    if (role === 'none') throw new KuraError('NOT_FOUND', `${user} is not a collaborator on ${repo.fullName}`);
    return reply.status(204).send();
  });

  api.get('/repos/:owner/:repo/collaborators/:user/permission', operation({
    operationId: 'repos/get-collaborator-permission-level',
    summary: 'A user’s permission on a repository',
    tags: ['collaborators'],
    security: access.signedIn(),
    params: collaboratorParams,
    response: { 200: Ref('CollaboratorPermission') },
  }), async (request) => {
    const { principal, repo, user } = await target(request);
    const permission = await core.repos.permissionOf(repo, user, principal);
    return presentPermission(permission.user, permission.role);
  });

  api.put('/repos/:owner/:repo/collaborators/:user', operation({
    operationId: 'repos/add-collaborator',
    summary: 'Give a collaborator a role, or change it',
    description: 'The repository’s admins.',
    tags: ['collaborators'],
    security: access.administrator(),
    params: collaboratorParams,
    body: permissionBody,
    response: { 200: Ref('Collaborator', { description: 'The role was changed.' }), 201: Ref('Collaborator', { description: 'The collaborator was added.' }) },
  }), async (request, reply) => {
    const { principal, repo, user } = await target(request);
    const role = permissions.get((request.body as Static<typeof permissionBody>).permission ?? 'push')!;
    const { collaborator, created } = await core.repos.setCollaborator(repo, user, role, principal);
    return reply.status(created ? 201 : 200).send(presentCollaborator(collaborator));
  });

  api.delete('/repos/:owner/:repo/collaborators/:user', operation({
    operationId: 'repos/remove-collaborator',
    summary: 'Take a collaborator’s role away',
    description: 'The repository’s admins.',
    tags: ['collaborators'],
    security: access.administrator(),
    params: collaboratorParams,
    response: { 204: NoContent('Removed.') },
  }), async (request, reply) => {
    const { principal, repo, user } = await target(request);
    await core.repos.removeCollaborator(repo, user, principal);
    return reply.status(204).send();
  });
}
