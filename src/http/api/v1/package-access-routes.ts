import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseRepoPath } from '../../../core/ids/names.js';
import type { ApiContext, OwnerScope } from './api-context.js';
import { access, operation } from './operations.js';
import { packageParams, packagePath, paramsOf, scopedKura, whose } from './package-routes.js';
import { presentPackageMember } from './presenters.js';
import { ListOf, NoContent, Ref, StringEnum } from './schemas.js';

const linkBody = Type.Object({ repository: Type.String({ description: 'OWNER/NAME, a repository of the package’s owner' }) });
const roleBody = Type.Object({ role: StringEnum(['read', 'write', 'admin'] as const) });

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
  const params = packageParams(scope);
  const memberParams = packageParams(scope, { user: Type.String({ description: 'the user’s login' }) });
  const writable = async (request: FastifyRequest) => {
    const found = await ac.package(request, paramsOf(scope, request));
    formats.requireWritable(found.pkg.format);
    return found;
  };
  const userOf = (request: FastifyRequest) => (request.params as { user: string }).user;

  api.put(`${base}/repository`, operation({
    operationId: scopedKura(scope, 'link-package-repository'),
    summary: `Link ${whose(scope)} package to a repository`,
    description: 'Its admins, who must be able to publish there. The package then follows the repository’s visibility and permissions, and its own roles are dropped.',
    tags: ['package-access'],
    security: access.administrator(),
    params,
    body: linkBody,
    response: { 200: Ref('Package') },
  }), async (request) => {
    const { pkg, principal } = await writable(request);
    const { owner, name } = parseRepoPath((request.body as Static<typeof linkBody>).repository);
    const repo = await ac.repository(principal, owner, name);
    return ac.describe(await core.packages.linkRepository(principal, pkg, repo), request);
  });

  api.delete(`${base}/repository`, operation({
    operationId: scopedKura(scope, 'unlink-package-repository'),
    summary: `Unlink ${whose(scope)} package from its repository`,
    description: 'It keeps the visibility it had; the one who unlinks it becomes its admin.',
    tags: ['package-access'],
    security: access.administrator(),
    params,
    response: { 204: NoContent('Unlinked.') },
  }), async (request, reply) => {
    const { pkg, principal } = await writable(request);
    await core.packages.unlinkRepository(principal, pkg);
    return reply.status(204).send();
  });

  api.get(`${base}/members`, operation({
    operationId: scopedKura(scope, 'list-package-members'),
    summary: `List the roles on ${whose(scope)} package`,
    description: 'A package with access of its own; its writers see them. A linked package answers 400: its repository’s collaborators decide.',
    tags: ['package-access'],
    security: access.signedIn(),
    params,
    response: { 200: ListOf('PackageMember', 'The users with a role.') },
  }), async (request) => {
    const { pkg, principal } = await ac.package(request, paramsOf(scope, request));
    return (await core.packages.members(principal, pkg)).map(presentPackageMember);
  });

  api.put(`${base}/members/:user`, operation({
    operationId: scopedKura(scope, 'set-package-member'),
    summary: `Give a user a role on ${whose(scope)} package, or change it`,
    description: 'Its admins.',
    tags: ['package-access'],
    security: access.administrator(),
    params: memberParams,
    body: roleBody,
    response: { 200: Ref('PackageMember', { description: 'The role was changed.' }), 201: Ref('PackageMember', { description: 'The role was given.' }) },
  }), async (request, reply) => {
    const { pkg, principal } = await writable(request);
    const { member, created } = await core.packages.setMember(principal, pkg, userOf(request), (request.body as Static<typeof roleBody>).role);
    return reply.status(created ? 201 : 200).send(presentPackageMember(member));
  });

  api.delete(`${base}/members/:user`, operation({
    operationId: scopedKura(scope, 'remove-package-member'),
    summary: `Take a user’s role on ${whose(scope)} package away`,
    description: 'Its admins.',
    tags: ['package-access'],
    security: access.administrator(),
    params: memberParams,
    response: { 204: NoContent('Removed.') },
  }), async (request, reply) => {
    const { pkg, principal } = await writable(request);
    await core.packages.removeMember(principal, pkg, userOf(request));
    return reply.status(204).send();
  });
}
