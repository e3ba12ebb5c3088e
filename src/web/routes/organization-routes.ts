import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ownerTarget } from '../../core/access/access-policy.js';
import { KuraError } from '../../core/errors/catalogue.js';
import { orgRoles, type OrgRole, type Owner } from '../../core/owners/owner.js';
import { field, onForm } from '../forms.js';
import { membersPage, membersPath, type MemberDraft } from '../pages/members-page.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { formRefusal, loginText, queryText, sendFormPage, sessionVisitor } from './form-pages.js';

/** The notices the members page shows after a change, by the `done` of its query string. */
function membersNotice(query: unknown): string | undefined {
  const done = queryText(query, 'done');
  const user = loginText(queryText(query, 'user'));
  const role = orgRoles.find((r) => r === queryText(query, 'role'));
  if (!user) return undefined;
  if (done === 'added' && role) return `${user} is now a member with the ${role} role.`;
  if (done === 'changed' && role) return `${user} now has the ${role} role.`;
  if (done === 'removed') return `${user} is no longer a member.`;
  return undefined;
}

const orgParams = (request: FastifyRequest) => request.params as { owner: string; login?: string };

/**
 * An organization's members (`/ORG/-/members`): visible to its members (a 404 page for everyone
 * else, for its forms too); its owners add members, change roles and remove members through
 * core, as the signed-in user, so each change is decided and audited as through the REST API.
 */
export function registerOrganizationRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { core } = deps;

  /** The organization when the visitor may see its members. @throws KuraError NOT_FOUND otherwise */
  const visibleOrg = async (visitor: Visitor, request: FastifyRequest): Promise<Owner> => {
    const { owner: login } = orgParams(request);
    const org = await core.owners.find(login);
    if (org?.kind !== 'org' || !(await core.access.permits(visitor.principal, 'members', { kind: 'organization', org: ownerTarget(org) }))) {
      throw new KuraError('NOT_FOUND', `no organization ${login} whose members you may see`);
    }
    return org;
  };

  const refusalPage = async (visitor: Visitor, org: Owner, error: unknown, draft?: MemberDraft) => {
    const refusal = formRefusal(error);
    return { status: refusal.status, page: await membersPage(deps, visitor, org, { error: refusal.message, draft }) };
  };

  app.get('/:owner/-/members', async (request, reply) => {
    const visitor = await sessionVisitor(deps, request, reply);
    if (!visitor) return reply;
    const org = await visibleOrg(visitor, request);
    return sendFormPage(reply, 200, await membersPage(deps, visitor, org, { notice: membersNotice(request.query) }));
  });

  onForm(app, deps, '/:owner/-/members', {}, async ({ request, reply, visitor, form }) => {
    const org = await visibleOrg(visitor, request);
    const draft: MemberDraft = { login: field(form, 'login'), role: field(form, 'role') };
    try {
      if (!draft.login) throw new KuraError('BAD_REQUEST', 'Enter the username of the member to add.');
      const member = await core.owners.setOrgMember(org.login, draft.login, draft.role as OrgRole, visitor.principal);
      return reply.redirect(`${membersPath(org)}?done=${member.created ? 'added' : 'changed'}&user=${encodeURIComponent(member.user.login)}&role=${member.role}`, 303);
    } catch (error) {
      const { status, page } = await refusalPage(visitor, org, error, draft);
      return sendFormPage(reply, status, page);
    }
  });

  onForm(app, deps, '/:owner/-/members/:login', {}, async ({ request, reply, visitor, form }) => {
    const org = await visibleOrg(visitor, request);
    try {
      const member = await core.owners.setOrgRole(org.login, orgParams(request).login ?? '', field(form, 'role') as OrgRole, visitor.principal);
      return reply.redirect(`${membersPath(org)}?done=changed&user=${encodeURIComponent(member.user.login)}&role=${member.role}`, 303);
    } catch (error) {
      const { status, page } = await refusalPage(visitor, org, error);
      return sendFormPage(reply, status, page);
    }
  });

  onForm(app, deps, '/:owner/-/members/:login/remove', {}, async ({ request, reply, visitor }) => {
    const org = await visibleOrg(visitor, request);
    const login = orgParams(request).login ?? '';
    try {
      await core.owners.removeOrgMember(org.login, login, visitor.principal);
      const user = await core.owners.requireUser(login);
      // Someone who removed themselves may no longer see the members.
      if (user.id === visitor.user?.id) return reply.redirect(`/${org.login}`, 303);
      return reply.redirect(`${membersPath(org)}?done=removed&user=${encodeURIComponent(user.login)}`, 303);
    } catch (error) {
      const { status, page } = await refusalPage(visitor, org, error);
      return sendFormPage(reply, status, page);
    }
  });
}
