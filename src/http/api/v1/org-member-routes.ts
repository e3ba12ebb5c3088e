import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import type { OrgRole } from '../../../core/owners/owner.js';
import type { ApiContext } from './api-context.js';
import { presentOrgMember, presentOrgMembership } from './presenters.js';

/** GitHub's organization roles (`admin`, `member`), and Kura's name for admins (`owner`). */
const roles: ReadonlyMap<string, OrgRole> = new Map([['admin', 'owner'], ['owner', 'owner'], ['member', 'member']]);

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

  api.get('/orgs/:org/members', async (request) => {
    const principal = await ac.principal(request);
    const { role = 'all' } = request.query as { role?: string };
    if (role !== 'all' && role !== 'admin' && role !== 'member') throw new KuraError('BAD_REQUEST', '"role" must be all, admin or member');
    return (await core.owners.orgMembers(params(request).org, principal, role === 'all' ? undefined : roles.get(role))).map(presentOrgMember);
  });

  api.get('/orgs/:org/memberships/:user', async (request) => {
    const principal = await ac.principal(request);
    return membership(request, await core.owners.orgMembership(params(request).org, params(request).user, principal));
  });

  api.put('/orgs/:org/memberships/:user', async (request) => {
    const principal = await ac.principal(request);
    const value = ac.objectBody(request)['role'] ?? 'member';
    const role = typeof value === 'string' ? roles.get(value) : undefined;
    if (!role) throw new KuraError('BAD_REQUEST', '"role" must be admin or member');
    return membership(request, await core.owners.setOrgMember(params(request).org, params(request).user, role, principal));
  });

  api.delete('/orgs/:org/memberships/:user', async (request, reply) => {
    const principal = await ac.principal(request);
    await core.owners.removeOrgMember(params(request).org, params(request).user, principal);
    return reply.status(204).send();
  });
}
