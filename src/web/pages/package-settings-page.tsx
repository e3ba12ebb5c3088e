import { ownerTarget } from '../../core/access/access-policy.js';
import { effectiveVisibility, hasOwnAccess, packageSubject, type PackageRecord } from '../../core/packages/package.js';
import type { PackageMember } from '../../core/packages/package-members.js';
import { repoRoles, type Repository } from '../../core/repos/repository.js';
import type { AnyPackageFormat } from '../../formats/contract.js';
import { settingFields, settingInputName } from '../format-settings-form.js';
import { field, fields, type FormFields } from '../forms.js';
import type { ViewedPackage } from '../package-lookup.js';
import { packageActionPath, packagePath, versionsPath } from '../paths.js';
import type { Visitor } from '../visitor.js';
import { requirePermission } from '../visible-packages.js';
import type { WebDeps } from '../web-deps.js';
import { CsrfField, Flash, renderPage } from '../components/layout.js';
import { dayText } from '../components/quantities.js';

/** A notice or an error at the top of a page, after a change or a refusal. */
export interface PageFlash {
  notice?: string | undefined;
  error?: string | undefined;
}

/** What a refused form was filled with, to show it again (never the typed confirmation). */
export interface SettingsDraft {
  memberLogin?: string;
  memberRole?: string;
  /** The format settings form as posted. */
  settings?: FormFields;
}

/**
 * A package's settings, for those who may administer it: visibility (unlinked packages; a linked
 * one follows its repository), the repository link, the roles of an unlinked package, the
 * format's own settings when it has any, and deleting the package by typing its name.
 * @throws KuraError NOT_FOUND for anyone who may not administer the package
 */
export async function packageSettingsPage(deps: WebDeps, visitor: Visitor, viewed: ViewedPackage, flash: PageFlash = {}, draft: SettingsDraft = {}): Promise<string> {
  const { pkg, format } = viewed;
  await requirePermission(deps, visitor.principal, 'administer', pkg);
  const [members, repositories, formatSettings, canDelete] = await Promise.all([
    hasOwnAccess(pkg) ? deps.core.packages.members(visitor.principal, pkg) : null,
    pkg.repo ? [] : linkableRepositories(deps, visitor, pkg),
    readFormatSettings(deps, format, pkg),
    deps.core.access.permits(visitor.principal, 'delete', packageSubject(pkg)),
  ]);
  return renderPage({ title: `Settings of ${pkg.name}`, visitor, wide: true }, (
    <>
      <section>
        <h1>{pkg.name}: settings</h1>
        <p>
          <span class="badge">{format.displayName}</span>
          <span class="badge">{effectiveVisibility(pkg)}</span>
        </p>
        <p><a href={packagePath(pkg)}>Back to the package</a> · <a href={versionsPath(pkg)}>All versions</a></p>
      </section>
      <Flash notice={flash.notice} error={flash.error} />
      <VisibilitySection visitor={visitor} pkg={pkg} />
      <RepositorySection visitor={visitor} pkg={pkg} repositories={repositories} />
      <AccessSection visitor={visitor} pkg={pkg} members={members} draft={draft} />
      {formatSettings ? <FormatSettingsSection visitor={visitor} pkg={pkg} format={format} values={formatSettings} draft={draft.settings} /> : null}
      {canDelete ? <DangerZone visitor={visitor} pkg={pkg} windowDays={deps.core.packages.restoreWindowDays} /> : null}
    </>
  ));
}

/** The owner's repositories the visitor may publish to (what a package can be linked to), by name. */
async function linkableRepositories(deps: WebDeps, visitor: Visitor, pkg: PackageRecord): Promise<Repository[]> {
  const owner = await deps.core.owners.findById(pkg.ownerId);
  if (!owner) return [];
  const visible = await deps.core.repos.listVisible(owner, visitor.principal);
  const writable = await Promise.all(visible.map((repo) => deps.core.access.permits(visitor.principal, 'write', { kind: 'repository', owner: ownerTarget(owner), repo })));
  return visible.filter((_, i) => writable[i]).sort((a, b) => a.name.localeCompare(b.name));
}

/** The format's settings of the package, or null when its format has none. */
async function readFormatSettings(deps: WebDeps, format: AnyPackageFormat, pkg: PackageRecord): Promise<Record<string, unknown> | null> {
  const ctx = deps.formatContexts.get(format.id);
  if (!format.packageSettings || !ctx) return null;
  return format.packageSettings.read(ctx, pkg);
}

function VisibilitySection({ visitor, pkg }: { visitor: Visitor; pkg: PackageRecord }) {
  return (
    <section aria-labelledby="visibility-heading">
      <h2 id="visibility-heading">Visibility</h2>
      {pkg.repo && pkg.inheritsAccess ? (
        <p>
          This package is linked to <a href={`/${pkg.repo.fullName}`}>{pkg.repo.fullName}</a> and follows its visibility: it is {pkg.repo.visibility}.
          Change the repository's visibility, stop inheriting its access, or unlink the package, to change it.
        </p>
      ) : (
        <form method="post" action={packageActionPath(pkg, 'visibility')}>
          <CsrfField visitor={visitor} />
          <fieldset>
            <legend>Who can see and download this package</legend>
            <label class="check"><input type="radio" name="visibility" value="public" checked={pkg.visibility === 'public'} /> Public: anyone, signed in or not</label>
            <label class="check"><input type="radio" name="visibility" value="private" checked={pkg.visibility === 'private'} /> Private: only people with a role on it, or through its owner</label>
          </fieldset>
          <button type="submit">Save visibility</button>
        </form>
      )}
    </section>
  );
}

function RepositorySection({ visitor, pkg, repositories }: { visitor: Visitor; pkg: PackageRecord; repositories: readonly Repository[] }) {
  return (
    <section aria-labelledby="repository-heading">
      <h2 id="repository-heading">Repository link</h2>
      {pkg.repo ? (
        <form method="post" action={packageActionPath(pkg, 'unlink')}>
          <CsrfField visitor={visitor} />
          <p>
            Linked to <a href={`/${pkg.repo.fullName}`}>{pkg.repo.fullName}</a>{pkg.inheritsAccess ? ": the package follows the repository's visibility and permissions" : ', with access of its own'}.
            Unlinked, it keeps its visibility and gets roles of its own; you become its admin.
          </p>
          <button type="submit" class="secondary">Unlink from {pkg.repo.fullName}</button>
        </form>
      ) : null}
      {pkg.repo ? (
        <form method="post" action={packageActionPath(pkg, 'inherit-access')}>
          <CsrfField visitor={visitor} />
          <fieldset>
            <legend>Access to this package</legend>
            <label class="check"><input type="radio" name="inherit" value="yes" checked={pkg.inheritsAccess} /> Inherit access from {pkg.repo.fullName}: its visibility and collaborators</label>
            <label class="check"><input type="radio" name="inherit" value="no" checked={!pkg.inheritsAccess} /> Manage access here: the package's own visibility and roles</label>
          </fieldset>
          <button type="submit">Save access</button>
        </form>
      ) : repositories.length === 0 ? (
        <p class="muted">Not linked. {pkg.ownerLogin} has no repository you can publish to, so there is none to link it to.</p>
      ) : (
        <form method="post" action={packageActionPath(pkg, 'link')}>
          <CsrfField visitor={visitor} />
          <p>Not linked. Linked to a repository, the package follows the repository's visibility and permissions, and its own roles are dropped.</p>
          <label for="link-repository">Repository</label>
          <select id="link-repository" name="repository" required>
            {repositories.map((repo) => <option value={repo.name}>{repo.fullName} ({repo.visibility})</option>)}
          </select>
          <div><button type="submit">Link repository</button></div>
        </form>
      )}
    </section>
  );
}

function AccessSection({ visitor, pkg, members, draft }: { visitor: Visitor; pkg: PackageRecord; members: readonly PackageMember[] | null; draft: SettingsDraft }) {
  const ownerNote = pkg.ownerKind === 'org'
    ? `The owners of ${pkg.ownerLogin} are its admins, and the organization's members can publish to it.`
    : `${pkg.ownerLogin} owns it and is always its admin.`;
  return (
    <section aria-labelledby="access-heading">
      <h2 id="access-heading">Access</h2>
      {!hasOwnAccess(pkg) || !members ? (
        <p>
          Who may read, publish to and administer this package follows the collaborators of <a href={`/${pkg.repo?.fullName ?? ''}`}>{pkg.repo?.fullName}</a>.
        </p>
      ) : (
        <>
          <p class="muted">Roles on this package: read (download), write (publish), admin (these settings). {ownerNote}</p>
          {members.length === 0 ? <p>Nobody has a role of their own on this package.</p> : (
            <div class="table-scroll">
              <table class="members">
                <thead><tr><th>User</th><th>Role</th><th>Remove</th></tr></thead>
                <tbody>
                  {members.map((m, i) => (
                    <tr>
                      <td><a href={`/${m.user.login}`}>{m.user.login}</a><div class="muted">since <span class="nowrap">{dayText(m.since)}</span></div></td>
                      {m.user.id === pkg.ownerId ? (
                        <>
                          <td>admin, as its owner</td>
                          <td />
                        </>
                      ) : (
                        <>
                          <td>
                            <form class="row" method="post" action={packageActionPath(pkg, 'member')}>
                              <CsrfField visitor={visitor} />
                              <input type="hidden" name="user" value={m.user.login} />
                              <label class="sr-only" for={`member-role-${i}`}>Role of {m.user.login}</label>
                              <select id={`member-role-${i}`} name="role">
                                {repoRoles.map((role) => <option value={role} selected={m.role === role}>{role}</option>)}
                              </select>
                              <button type="submit" class="secondary">Change<span class="sr-only"> the role of {m.user.login}</span></button>
                            </form>
                          </td>
                          <td>
                            <form class="row" method="post" action={packageActionPath(pkg, 'remove-member')}>
                              <CsrfField visitor={visitor} />
                              <input type="hidden" name="user" value={m.user.login} />
                              <button type="submit" class="danger">Remove<span class="sr-only"> {m.user.login}</span></button>
                            </form>
                          </td>
                        </>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3 id="add-member-heading">Give someone a role</h3>
          <form method="post" action={packageActionPath(pkg, 'member')} aria-labelledby="add-member-heading">
            <CsrfField visitor={visitor} />
            <label for="member-user">Username</label>
            <input type="text" id="member-user" name="user" required maxLength={100} autocomplete="off" spellcheck={false} value={draft.memberLogin ?? ''} />
            <label for="member-role">Role</label>
            <select id="member-role" name="role">
              {repoRoles.map((role) => <option value={role} selected={(draft.memberRole ?? 'read') === role}>{role}</option>)}
            </select>
            <div><button type="submit">Add</button></div>
          </form>
        </>
      )}
    </section>
  );
}

function FormatSettingsSection({ visitor, pkg, format, values, draft }: { visitor: Visitor; pkg: PackageRecord; format: AnyPackageFormat; values: Record<string, unknown>; draft: FormFields | undefined }) {
  const settings = settingFields(values);
  return (
    <section aria-labelledby="format-settings-heading">
      <h2 id="format-settings-heading">{format.displayName} settings</h2>
      {settings.length === 0 ? <p class="muted">{format.displayName} packages have no settings to change.</p> : (
        <form method="post" action={packageActionPath(pkg, 'format-settings')}>
          <CsrfField visitor={visitor} />
          {settings.map((s) => {
            const id = `setting-${s.name.replace(/[^\w-]/g, '-')}`;
            const name = settingInputName(s.name);
            if (s.kind === 'boolean') {
              const checked = draft ? fields(draft, name).at(-1) === 'true' : s.checked;
              return (
                <>
                  <input type="hidden" name={name} value="false" />
                  <label class="check"><input type="checkbox" id={id} name={name} value="true" checked={checked} /> {s.label}</label>
                </>
              );
            }
            const value = draft ? field(draft, name) : s.value;
            return (
              <>
                <label for={id}>{s.label}</label>
                {s.kind === 'number'
                  ? <input type="number" step="any" id={id} name={name} value={value} aria-describedby={`${id}-help`} />
                  : <input type="text" id={id} name={name} value={value} aria-describedby={s.unset ? `${id}-help` : undefined} />}
                {s.unset || s.kind !== 'text' ? <div id={`${id}-help`} class="muted">Leave it empty for no {s.label.toLowerCase()}.</div> : null}
              </>
            );
          })}
          <div><button type="submit">Save settings</button></div>
        </form>
      )}
    </section>
  );
}

function DangerZone({ visitor, pkg, windowDays }: { visitor: Visitor; pkg: PackageRecord; windowDays: number }) {
  return (
    <section class="danger-zone" aria-labelledby="danger-heading">
      <h2 id="danger-heading">Danger zone</h2>
      <h3 id="delete-package-heading">Delete this package</h3>
      <p>
        Every version of {pkg.name} stops downloading and the package disappears from lists and searches. Its admins can restore it within {windowDays} {windowDays === 1 ? 'day' : 'days'}; after that it is gone for good.
      </p>
      <form method="post" action={packageActionPath(pkg, 'delete')} aria-labelledby="delete-package-heading">
        <CsrfField visitor={visitor} />
        <label for="delete-confirm">Type the package name, <code>{pkg.name}</code>, to confirm</label>
        <input type="text" id="delete-confirm" name="confirm" required autocomplete="off" spellcheck={false} autocapitalize="off" />
        <div><button type="submit" class="danger">Delete package</button></div>
      </form>
    </section>
  );
}

/**
 * A deleted package, for those who may restore it: when it was deleted, until when it can be
 * restored and a Restore button, or that it no longer can be.
 */
export function deletedPackagePage(deps: WebDeps, visitor: Visitor, viewed: ViewedPackage, flash: PageFlash = {}): string {
  const { pkg, format } = viewed;
  const until = deps.core.packages.restorableUntil(pkg);
  return renderPage({ title: `${pkg.name} (deleted)`, visitor, wide: true }, (
    <>
      <section>
        <h1>{pkg.name}</h1>
        <p><span class="badge">{format.displayName}</span><span class="badge">deleted</span></p>
      </section>
      <Flash notice={flash.notice} error={flash.error} />
      <section aria-labelledby="restore-heading">
        <h2 id="restore-heading">This package is deleted</h2>
        <p>It was deleted on {dayText(pkg.deletedAt!)}: its versions do not download and it is not listed. Only its admins see this page.</p>
        {until ? (
          <form method="post" action={packageActionPath(pkg, 'restore')}>
            <CsrfField visitor={visitor} />
            <p>It can be restored until {dayText(until.toISOString())}, with its versions as they were.</p>
            <button type="submit">Restore package</button>
          </form>
        ) : (
          <p>It was deleted more than {deps.core.packages.restoreWindowDays} days ago and can no longer be restored.</p>
        )}
      </section>
    </>
  ));
}
