import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import type { Owner } from '../../../core/owners/owner.js';
import type { RepoChanges, Repository, Visibility } from '../../../core/repos/repository.js';
import type { ApiContext } from './api-context.js';
import { access, operation } from './operations.js';
import { packageListQuery } from './package-routes.js';
import { presentRepository } from './presenters.js';
import { IgnoredFields, ListOf, Nullable, PathParams, Ref, StringEnum } from './schemas.js';

/** The path of a repository. */
export const repoParams = PathParams({ owner: 'the repository’s owner', repo: 'the repository’s name' });

const repositoryFields = {
  description: Type.Optional(Nullable(Type.String())),
  visibility: Type.Optional(StringEnum(['public', 'private'] as const)),
  private: Type.Optional(Type.Boolean({ description: 'GitHub’s flag: `true` for private (must agree with `visibility` when both are given)' })),
};
/** GitHub's repository settings about git, issues and merging: Kura hosts no git. */
const gitSettings = IgnoredFields([
  'homepage', 'has_issues', 'has_projects', 'has_wiki', 'has_discussions', 'has_downloads', 'is_template', 'default_branch', 'archived',
  'allow_squash_merge', 'allow_merge_commit', 'allow_rebase_merge', 'allow_auto_merge', 'allow_update_branch', 'allow_forking',
  'delete_branch_on_merge', 'use_squash_pr_title_as_default', 'squash_merge_commit_title', 'squash_merge_commit_message',
  'merge_commit_title', 'merge_commit_message', 'web_commit_signoff_required', 'security_and_analysis',
] as const, 'Kura hosts no git');
const repositoryChange = Type.Object({ ...repositoryFields, name: Type.Optional(Type.String({ description: 'repositories cannot be renamed: only the current name is accepted' })), ...gitSettings });
const newRepository = Type.Object({
  name: Type.String({ description: 'the repository’s name under its owner' }), ...repositoryFields, ...gitSettings,
  ...IgnoredFields(['auto_init', 'gitignore_template', 'license_template', 'team_id'] as const, 'Kura hosts no git'),
});

/**
 * The visibility a body asks for, from GitHub's `visibility` ("public" or "private") or its
 * `private` flag; undefined when it names none.
 * @throws KuraError BAD_REQUEST when the two disagree
 */
function requestedVisibility(body: Static<typeof repositoryChange>): Visibility | undefined {
  const fromFlag = body.private === undefined ? undefined : body.private ? 'private' : 'public';
  if (body.visibility !== undefined && fromFlag !== undefined && body.visibility !== fromFlag) throw new KuraError('BAD_REQUEST', '"visibility" and "private" disagree');
  return body.visibility ?? fromFlag;
}

/**
 * Repositories, shaped like GitHub's REST API: `GET`/`PATCH /repos/OWNER/REPO`, `POST /user/repos`
 * and `POST /orgs/ORG/repos`, the lists `GET /users/OWNER/repos` and `GET /orgs/ORG/repos` (what
 * the caller may see), and `GET /repos/OWNER/REPO/packages` (its linked packages, filtered and
 * paged as an owner's packages are).
 */
export function registerRepositoryRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core, urls } = ac.deps;
  const paramsOf = (request: FastifyRequest) => request.params as { owner: string; repo: string };
  const ownerOf = async (repo: Repository): Promise<Owner> => (await core.owners.findById(repo.ownerId))!;

  api.get('/repos/:owner/:repo', operation({
    operationId: 'repos/get',
    summary: 'Get a repository',
    tags: ['repos'],
    security: access.anyone(),
    params: repoParams,
    response: { 200: Ref('Repository') },
  }), async (request) => {
    const principal = await ac.principal(request);
    const repo = await ac.repository(principal, paramsOf(request).owner, paramsOf(request).repo);
    return presentRepository(repo, await ownerOf(repo), urls.base(request));
  });

  api.patch('/repos/:owner/:repo', operation({
    operationId: 'repos/update',
    summary: 'Change a repository’s description or visibility',
    description: 'Its admins; its linked packages follow the visibility.',
    tags: ['repos'],
    security: access.administrator(),
    params: repoParams,
    body: repositoryChange,
    response: { 200: Ref('Repository') },
  }), async (request) => {
    const principal = await ac.principal(request);
    const repo = await ac.repository(principal, paramsOf(request).owner, paramsOf(request).repo);
    const body = request.body as Static<typeof repositoryChange>;
    if (body.name !== undefined && body.name !== repo.name) throw new KuraError('BAD_REQUEST', 'repositories cannot be renamed');
    const changes: RepoChanges = { visibility: requestedVisibility(body), description: body.description };
    const updated = await core.repos.update(repo, changes, principal);
    return presentRepository(updated, await ownerOf(updated), urls.base(request));
  });

  const create = async (request: FastifyRequest, owner: Owner) => {
    const principal = await ac.user(request);
    const body = request.body as Static<typeof newRepository>;
    const repo = await core.repos.create({ fullName: `${owner.login}/${body.name}`, visibility: requestedVisibility(body), description: body.description ?? undefined }, principal);
    return presentRepository(repo, owner, urls.base(request));
  };

  api.post('/user/repos', operation({
    operationId: 'repos/create-for-authenticated-user',
    summary: 'Create a repository of the caller',
    description: 'Public unless asked.',
    tags: ['repos'],
    security: access.administrator(),
    body: newRepository,
    response: { 201: Ref('Repository', { description: 'The new repository.' }) },
    errors: [409],
  }), async (request, reply) => {
    const principal = await ac.user(request);
    return reply.status(201).send(await create(request, principal.user));
  });

  api.post('/orgs/:owner/repos', operation({
    operationId: 'repos/create-in-org',
    summary: 'Create a repository in an organization',
    description: 'Its members; a member who is not an owner becomes the new repository’s admin.',
    tags: ['repos'],
    security: access.administrator(),
    params: PathParams({ owner: 'the organization' }),
    body: newRepository,
    response: { 201: Ref('Repository', { description: 'The new repository.' }) },
    errors: [409],
  }), async (request, reply) => {
    const owner = await ac.owner('orgs', (request.params as { owner: string }).owner, await ac.principal(request));
    return reply.status(201).send(await create(request, owner));
  });

  for (const scope of ['users', 'orgs'] as const) {
    api.get(`/${scope}/:owner/repos`, operation({
      operationId: scope === 'users' ? 'repos/list-for-user' : 'repos/list-for-org',
      summary: `List ${scope === 'users' ? 'a user’s' : 'an organization’s'} repositories`,
      description: 'The ones the caller may see.',
      tags: ['repos'],
      security: access.anyone(),
      params: PathParams({ owner: scope === 'users' ? 'the user' : 'the organization' }),
      response: { 200: ListOf('Repository', 'The repositories.') },
    }), async (request) => {
      const principal = await ac.principal(request);
      const owner = await ac.owner(scope, (request.params as { owner: string }).owner, principal);
      return (await core.repos.listVisible(owner, principal)).map((repo) => presentRepository(repo, owner, urls.base(request)));
    });
  }

  api.get('/repos/:owner/:repo/packages', operation({
    operationId: 'repos/list-packages',
    summary: 'List the packages linked to a repository',
    description: 'Filtered and paged as an owner’s packages are.',
    tags: ['repos', 'packages'],
    security: access.anyone('read:packages'),
    params: repoParams,
    querystring: packageListQuery,
    response: { 200: ListOf('Package', 'One page of packages.') },
  }), async (request, reply) => {
    const principal = await ac.principal(request);
    const repo = await ac.repository(principal, paramsOf(request).owner, paramsOf(request).repo);
    return ac.listPackages(request, reply, principal, await ownerOf(repo), repo.id);
  });
}
