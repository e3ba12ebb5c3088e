import { orgRoles, type OrgRole, type Owner } from '../../core/owners/owner.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { CsrfField, Flash, renderPage } from '../components/layout.js';
import { dayText } from '../components/quantities.js';

/** An organization's members page. */
export function membersPath(org: Pick<Owner, 'login'>): string {
  return `/${org.login}/-/members`;
}

/** Where one member's role is changed (POST) and where they are removed (`/remove`). */
export function memberPath(org: Pick<Owner, 'login'>, login: string): string {
  return `${membersPath(org)}/${encodeURIComponent(login)}`;
}

/** What each organization role means, for the role choices. */
export const orgRoleLabels: Record<OrgRole, string> = {
  owner: 'owner: administers everything',
  member: 'member: reads, creates repositories',
};

/** What the Add member form was filled with, to show it again after a refusal. */
export interface MemberDraft {
  login: string;
  role: string;
}

/**
 * An organization's members with their roles and since when, for its members. Its owners also
 * change roles, remove members and add new ones; an organization always keeps one owner.
 */
export async function membersPage(
  deps: WebDeps, visitor: Visitor, org: Owner, options: { notice?: string; error?: string; draft?: MemberDraft } = {},
): Promise<string> {
  const members = await deps.core.owners.orgMembers(org.login, visitor.principal);
  const isOwner = await deps.core.access.permits(visitor.principal, 'administer', { kind: 'organization', org });
  const draft = options.draft ?? { login: '', role: 'member' };
  return renderPage({ title: `Members · ${org.login}`, visitor, wide: true }, (
    <>
      <section>
        <h1>Members of <a href={`/${org.login}`}>{org.login}</a></h1>
        <Flash notice={options.notice} error={options.error} />
        {isOwner ? null : <p class="muted">Only owners of {org.login} change its members.</p>}
        <div class="table-scroll">
          <table class="roles">
            <thead><tr><th>Member</th><th>Role</th>{isOwner ? <th>Remove</th> : null}</tr></thead>
            <tbody>
              {members.map((m) => (
                <tr>
                  <td>
                    <a href={`/${m.user.login}`}>{m.user.login}</a>{m.user.id === visitor.user?.id ? <> <span class="badge">you</span></> : null}
                    <div class="muted">since {dayText(m.since)}</div>
                  </td>
                  <td>
                    {isOwner ? (
                      <form class="row" method="post" action={memberPath(org, m.user.login)}>
                        <CsrfField visitor={visitor} />
                        <select name="role" aria-label={`Role of ${m.user.login}`}>
                          {orgRoles.map((role) => <option value={role} selected={role === m.role}>{role}</option>)}
                        </select>
                        <button type="submit" class="secondary" aria-label={`Change role of ${m.user.login}`}>Change</button>
                      </form>
                    ) : m.role}
                  </td>
                  {isOwner ? (
                    <td>
                      <form class="inline" method="post" action={`${memberPath(org, m.user.login)}/remove`}>
                        <CsrfField visitor={visitor} />
                        <button type="submit" class="danger" aria-label={`Remove ${m.user.login}`}>Remove</button>
                      </form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {isOwner ? (
        <section>
          <h2 id="add-member-heading">Add a member</h2>
          <form method="post" action={membersPath(org)} aria-labelledby="add-member-heading">
            <CsrfField visitor={visitor} />
            <label for="member-login">Username</label>
            <input type="text" id="member-login" name="login" required maxLength={39} autocomplete="off" value={draft.login} />
            <label for="member-role">Role</label>
            <select id="member-role" name="role">
              {orgRoles.map((role) => <option value={role} selected={role === draft.role}>{orgRoleLabels[role]}</option>)}
            </select>
            <div><button type="submit">Add member</button></div>
          </form>
          <p class="muted">Removing a member also ends the roles they were given on the organization’s repositories and packages.</p>
        </section>
      ) : null}
    </>
  ));
}
