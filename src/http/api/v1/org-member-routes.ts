import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OrgRole } from '../../../core/owners/owner.js';
import type { ApiContext } from './api-context.js';
import { access, operation } from './operations.js';
import { presentOrgMember, presentOrgMembership } from './presenters.js';
import { ListOf, NoContent, PathParams, Ref, StringEnum } from './schemas.js';

/** GitHub's organization roles (`admin`, `member`), and Kura's name for admins (`owner`). */
const roles: ReadonlyMap<string, OrgRole> = new Map([['admin', 'owner'], ['owner', 'owner'], ['member', 'member']]);

const membershipParams = PathParams({ org: 'the organization', user: 'the member’s login' });
const roleBody = Type.Object({ role: Type.Optional(StringEnum(['admin', 'member', 'owner'] as const, { default: 'member', description: '`admin` (Kura’s `owner`) or `member`' })) });

/**
 * An organization's members, shaped like GitHub's: `GET /orgs/ORG/members[?role=all|admin|member]`,
 * `GET /orgs/ORG/memberships/USER`, `PUT …/memberships/USER {"role": "admin"|"member"}` and
 * `DELETE …/memberships/USER` (204). Members see them (to everyone else the list does not
 * exist), owners change them; the last owner can be neither demoted nor removed (409 LAST_OWNER).
 */
export function registerOrgMemberRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core, urls } = ac.deps;
  const params = (request: FastifyRequest) => request.params as { org: string; user: string };
  const membership = async (request: FastifyRequest, member: Parameters<typeof presentOrgMember>[0]) =>
    presentOrgMembership((await core.owners.find(params(request).org))!, member, urls.base(request));
  const roleQuery = Type.Object({ role: Type.Optional(StringEnum(['all', 'admin', 'member'] as const, { default: 'all' })) });

  api.get('/orgs/:org/members', operation({
    operationId: 'orgs/list-members',
    summary: 'List an organization’s members',
    description: 'Visible to its members only (404 to others).',
    tags: ['orgs'],
    security: access.signedIn(),
    params: PathParams({ org: 'the organization' }),
    querystring: roleQuery,
    response: { 200: ListOf('OrgMember', 'The members.') },
  }), async (request) => {
    const principal = await ac.principal(request);
    const { role = 'all' } = request.query as Static<typeof roleQuery>;
    return (await core.owners.orgMembers(params(request).org, principal, role === 'all' ? undefined : roles.get(role))).map(presentOrgMember);
  });

  api.get('/orgs/:org/memberships/:user', operation({
    operationId: 'orgs/get-membership-for-user',
    summary: 'A user’s membership of an organization',
    description: 'Visible to its members only.',
    tags: ['orgs'],
    security: access.signedIn(),
    params: membershipParams,
    response: { 200: Ref('OrgMembership') },
  }), async (request) => {
    const principal = await ac.principal(request);
    return membership(request, await core.owners.orgMembership(params(request).org, params(request).user, principal));
  });

  api.put('/orgs/:org/memberships/:user', operation({
    operationId: 'orgs/set-membership-for-user',
    summary: 'Add a member or change their role',
    description: 'The organization’s owners. The last owner cannot be demoted (409 `LAST_OWNER`).',
    tags: ['orgs'],
    security: access.administrator(),
    params: membershipParams,
    body: roleBody,
    response: { 200: Ref('OrgMembership') },
    errors: [409],
  }), async (request) => {
    const principal = await ac.principal(request);
    const role = roles.get((request.body as Static<typeof roleBody>).role ?? 'member')!;
    return membership(request, await core.owners.setOrgMember(params(request).org, params(request).user, role, principal));
  });

  api.delete('/orgs/:org/memberships/:user', operation({
    operationId: 'orgs/remove-membership-for-user',
    summary: 'Remove a member',
    description: 'The organization’s owners; the member loses the roles they had on its repositories and packages. The last owner cannot be removed (409 `LAST_OWNER`).',
    tags: ['orgs'],
    security: access.administrator(),
    params: membershipParams,
    response: { 204: NoContent('Removed.') },
    errors: [409],
  }), async (request, reply) => {
    const principal = await ac.principal(request);
    await core.owners.removeOrgMember(params(request).org, params(request).user, principal);
    return reply.status(204).send();
  });
}
