import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { parseRepoPath } from '../../../core/ids/names.js';
import type { RepoRole } from '../../../core/repos/repository.js';
import type { ApiContext, OwnerScope } from './api-context.js';
import { packagePath, paramsOf } from './package-routes.js';
import { presentPackageMember } from './presenters.js';

/**
 * Who may use a package, under `/{users|orgs}/OWNER/packages/TYPE/NAME`: `PUT …/repository
 * {"repository": "OWNER/REPO"}` links it to a repository of its owner (it then follows the
 * repository's visibility and permissions) and `DELETE …/repository` unlinks it; an unlinked
 * package's roles are `GET …/members`, `PUT …/members/USER {"role": "read"|"write"|"admin"}`
 * (201 added, 200 changed) and `DELETE …/members/USER`. Its admins change them.
 */
export function registerPackageAccessRoutes(api: FastifyInstance, ac: ApiContext): void {
  for (const scope of ['users', 'orgs'] as const) registerScope(api, ac, scope);
}

function registerScope(api: FastifyInstance, ac: ApiContext, scope: OwnerScope): void {
  const { core, formats } = ac.deps;
  const base = packagePath(scope);
  const writable = async (request: FastifyRequest) => {
    const found = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(found.pkg.format);
    return found;
  };
  const userOf = (request: FastifyRequest) => (request.params as { user: string }).user;

  api.put(`${base}/repository`, async (request) => {
    const { pkg, principal } = await writable(request);
    const named = ac.objectBody(request)['repository'];
    if (typeof named !== 'string') throw new KuraError('BAD_REQUEST', '"repository" is required, as "OWNER/NAME"');
    const { owner, name } = parseRepoPath(named);
    const repo = await ac.repository(principal, owner, name);
    return ac.describe(await core.packages.linkRepository(principal, pkg, repo), request);
  });

  api.delete(`${base}/repository`, async (request, reply) => {
    const { pkg, principal } = await writable(request);
    await core.packages.unlinkRepository(principal, pkg);
    return reply.status(204).send();
  });

  api.get(`${base}/members`, async (request) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    return (await core.packages.members(principal, pkg)).map(presentPackageMember);
  });

  api.put(`${base}/members/:user`, async (request, reply) => {
    const { pkg, principal } = await writable(request);
    const role = ac.objectBody(request)['role'];
    if (typeof role !== 'string') throw new KuraError('BAD_REQUEST', '"role" is required: read, write or admin');
    const { member, created } = await core.packages.setMember(principal, pkg, userOf(request), role as RepoRole);
    return reply.status(created ? 201 : 200).send(presentPackageMember(member));
  });

  api.delete(`${base}/members/:user`, async (request, reply) => {
    const { pkg, principal } = await writable(request);
    await core.packages.removeMember(principal, pkg, userOf(request));
    return reply.status(204).send();
  });
}
