import { maxDescriptionLength } from '../../core/repos/repo-service.js';
import { repoRoles, type RepoRole, type Repository } from '../../core/repos/repository.js';
import type { Owner } from '../../core/owners/owner.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { CsrfField, Flash, renderPage } from '../components/layout.js';
import { VisibilityChoice } from './new-repository-page.js';

/** A repository's settings page. */
export function repositorySettingsPath(repo: Pick<Repository, 'fullName'>): string {
  return `/${repo.fullName}/settings`;
}

/** Where one collaborator's role is changed (POST) and where they are removed (`/remove`). */
export function collaboratorPath(repo: Pick<Repository, 'fullName'>, login: string): string {
  return `${repositorySettingsPath(repo)}/collaborators/${encodeURIComponent(login)}`;
}

/** What each role lets a collaborator do, for the role choices. */
export const repoRoleLabels: Record<RepoRole, string> = {
  read: 'read: see and install packages',
  write: 'write: also publish',
  admin: 'admin: also manage settings and people',
};

/** What the forms were filled with, to show them again after a refusal. */
export interface RepositorySettingsDraft {
  description?: string;
  visibility?: string;
  collaborator?: string;
  role?: string;
}

/**
 * A repository's settings, for its admins: General (description, visibility) and Collaborators
 * (each one's role, changed or removed; a form to add one). Everyone with access through the
 * owner is listed too, without controls: their role comes from the owner, not the repository.
 */
export async function repositorySettingsPage(
  deps: WebDeps, visitor: Visitor, repo: Repository, options: { notice?: string; error?: string; draft?: RepositorySettingsDraft } = {},
): Promise<string> {
  const owner = (await deps.core.owners.findById(repo.ownerId))!;
  const everyone = await deps.core.repos.collaborators(repo, visitor.principal, 'all');
  const direct = everyone.filter((m) => m.collaboratorRole !== null);
  const throughOwner = everyone.filter((m) => m.collaboratorRole === null);
  const draft = options.draft ?? {};
  const settings = repositorySettingsPath(repo);
  return renderPage({ title: `Settings · ${repo.fullName}`, visitor, wide: true }, (
    <>
      <section>
        <h1>Settings of <a href={`/${repo.fullName}`}>{repo.fullName}</a></h1>
        <Flash notice={options.notice} error={options.error} />
      </section>
      <section>
        <h2 id="general-heading">General</h2>
        <form method="post" action={settings} aria-labelledby="general-heading">
          <CsrfField visitor={visitor} />
          <label for="repo-description">Description</label>
          <textarea id="repo-description" name="description" rows={3} maxLength={maxDescriptionLength}>{draft.description ?? repo.description ?? ''}</textarea>
          <VisibilityChoice visibility={draft.visibility ?? repo.visibility} />
          <div><button type="submit">Save changes</button></div>
        </form>
      </section>
      <section>
        <h2 id="collaborators-heading">Collaborators</h2>
        {direct.length === 0 ? <p class="muted">No collaborators yet.</p> : (
          <div class="table-scroll">
            <table class="roles" aria-labelledby="collaborators-heading">
              <thead><tr><th>User</th><th>Role</th><th>Remove</th></tr></thead>
              <tbody>
                {direct.map((m) => (
                  <tr>
                    <td><a href={`/${m.user.login}`}>{m.user.login}</a></td>
                    <td>
                      <form class="row" method="post" action={collaboratorPath(repo, m.user.login)}>
                        <CsrfField visitor={visitor} />
                        <select name="role" aria-label={`Role of ${m.user.login}`}>
                          {repoRoles.map((role) => <option value={role} selected={role === m.collaboratorRole}>{role}</option>)}
                        </select>
                        <button type="submit" class="secondary" aria-label={`Change role of ${m.user.login}`}>Change</button>
                      </form>
                      {m.role !== m.collaboratorRole ? <div class="muted">{m.role} through {owner.login}</div> : null}
                    </td>
                    <td>
                      <form class="inline" method="post" action={`${collaboratorPath(repo, m.user.login)}/remove`}>
                        <CsrfField visitor={visitor} />
                        <button type="submit" class="danger" aria-label={`Remove ${m.user.login}`}>Remove</button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h3 id="add-collaborator-heading">Add a collaborator</h3>
        <form method="post" action={`${settings}/collaborators`} aria-labelledby="add-collaborator-heading">
          <CsrfField visitor={visitor} />
          <label for="collaborator-login">Username</label>
          <input type="text" id="collaborator-login" name="login" required maxLength={39} autocomplete="off" value={draft.collaborator ?? ''} />
          <label for="collaborator-role">Role</label>
          <select id="collaborator-role" name="role">
            {repoRoles.map((role) => <option value={role} selected={role === (draft.role ?? 'read')}>{repoRoleLabels[role]}</option>)}
          </select>
          <div><button type="submit">Add collaborator</button></div>
        </form>
        <AccessThroughOwner owner={owner} members={throughOwner} membersLink={visitor.organizations.some((o) => o.id === owner.id)} />
      </section>
    </>
  ));
}

/** Who has a role through the owner alone (the owner, an organization's owners and members). */
function AccessThroughOwner({ owner, members, membersLink }: { owner: Owner; members: Array<{ user: Owner; role: RepoRole }>; membersLink: boolean }) {
  if (members.length === 0) return null;
  return (
    <>
      <h3>Access through {owner.kind === 'org' ? `the organization ${owner.login}` : 'the owner'}</h3>
      <p class="muted">
        {owner.kind === 'org'
          ? <>The owners of {owner.login} are admins of every repository it owns, and its members can read them.{membersLink ? <> <a href={`/${owner.login}/-/members`}>Members of {owner.login}</a></> : null}</>
          : <>{owner.login} owns the repository and is always its admin.</>}
      </p>
      <ul class="plain">
        {members.map((m) => <li><a href={`/${m.user.login}`}>{m.user.login}</a> <span class="badge">{m.role}</span></li>)}
      </ul>
    </>
  );
}
