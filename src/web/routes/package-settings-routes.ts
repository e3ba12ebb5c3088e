import type { FastifyInstance, FastifyReply } from 'fastify';
import { isKuraError, KuraError } from '../../core/errors/catalogue.js';
import type { PackageRecord, VersionRecord } from '../../core/packages/package.js';
import type { RepoRole } from '../../core/repos/repository.js';
import { changedSettings } from '../format-settings-form.js';
import { field, onForm, type FormFields } from '../forms.js';
import { resolvePackageForm, type PackageAction, type ViewedPackage } from '../package-lookup.js';
import { packagePath, packageSettingsPath, versionsPath } from '../paths.js';
import { deletableVersion, deleteVersionPage } from '../pages/delete-version-page.js';
import { deletedPackagePage, packageSettingsPage, type SettingsDraft } from '../pages/package-settings-page.js';
import { versionsPage } from '../pages/versions-page.js';
import type { Visitor } from '../visitor.js';
import { requirePermission } from '../visible-packages.js';
import type { WebDeps } from '../web-deps.js';

const sendPage = (reply: FastifyReply, status: number, page: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);

/** The notices a change leaves on the page it leads to (`?done=KEY&name=…`). */
const notices: Record<string, (name: string) => string> = {
  visibility: () => 'Visibility saved.',
  linked: () => 'Linked to the repository: the package now follows its visibility and permissions.',
  unlinked: () => 'Unlinked from the repository: the package keeps its visibility and now has roles of its own.',
  inheriting: () => 'The package now takes its visibility and permissions from its repository.',
  'own-access': () => 'The package now has its own visibility and roles.',
  member: (name) => `${name}'s role is saved.`,
  'member-removed': (name) => `${name} no longer has a role on this package.`,
  settings: () => 'Settings saved.',
  'settings-unchanged': () => 'No setting was changed.',
  deleted: () => 'Package deleted.',
  restored: () => 'Package restored.',
  'version-deleted': (name) => `Version ${name} deleted.`,
  'version-restored': (name) => `Version ${name} restored.`,
};

/** The notice a page's `?done=` asks for, or undefined. */
export function noticeOf(query: unknown): string | undefined {
  const { done, name } = (query ?? {}) as Record<string, unknown>;
  const notice = typeof done === 'string' && Object.hasOwn(notices, done) ? notices[done] : undefined;
  return notice?.(typeof name === 'string' ? name.slice(0, 200) : '');
}

const withNotice = (path: string, done: string, name?: string) =>
  `${path}?done=${done}${name === undefined ? '' : `&name=${encodeURIComponent(name)}`}`;

/**
 * The forms of a package's settings page and versions list, posted to `NAME/settings/ACTION` and
 * `NAME/versions/VERSION/delete|restore`. Only those who may administer the package (delete and
 * restore, for versions and restoring it) find these; to everyone else they are not there (404).
 * Each change is made by core, which decides access again and writes the audit row; a change
 * done answers 303 to the page with a notice, one refused shows the page again with why.
 */
export function registerPackageSettingsRoutes(app: FastifyInstance, deps: WebDeps): void {
  onForm(app, deps, '/:owner/-/packages/:format/*', {}, async ({ request, reply, visitor, form }) => {
    const { owner, format, '*': tail } = request.params as { owner: string; format: string; '*': string };
    const viewed = await resolvePackageForm(deps, visitor, owner, format, tail);
    const { action } = viewed;
    if (action.kind === 'version') {
      if (viewed.pkg.deletedAt) throw new KuraError('NOT_FOUND', `no version ${action.version} of ${viewed.pkg.name}`);
      return action.action === 'delete' ? deleteVersion(deps, reply, visitor, viewed, action.version, form) : restoreVersion(deps, reply, visitor, viewed, action.version);
    }
    const restoring = action.action === 'restore';
    if (Boolean(viewed.pkg.deletedAt) !== restoring) throw new KuraError('NOT_FOUND', `no ${viewed.pkg.format} package ${viewed.pkg.name} to ${restoring ? 'restore' : 'change'}`);
    await requirePermission(deps, visitor.principal, restoring ? 'delete' : 'administer', viewed.pkg);
    const draft = draftOf(action.action, form);
    try {
      deps.formats.requireWritable(viewed.pkg.format);
      return reply.redirect(await changePackage(deps, visitor, viewed, action.action, form), 303);
    } catch (error) {
      if (!isKuraError(error) || error.status >= 500) throw error;
      // Someone or something a form names that is not there is the form's mistake, not a missing page.
      const status = error.status === 404 ? 400 : error.status;
      const page = restoring
        ? deletedPackagePage(deps, visitor, viewed, { error: error.message })
        : await packageSettingsPage(deps, visitor, { ...viewed, pkg: (await current(deps, viewed.pkg)) ?? viewed.pkg }, { error: error.message }, draft);
      return sendPage(reply, status, page);
    }
  });
}

/** The package as it is now (a refused change may follow another one). */
const current = (deps: WebDeps, pkg: PackageRecord) => deps.core.packages.queries.findById(pkg.id);

/** What to show again in the forms after a refusal: the person and role asked for, the format settings typed. */
function draftOf(action: PackageAction, form: FormFields): SettingsDraft {
  if (action === 'member') return { memberLogin: field(form, 'user'), memberRole: field(form, 'role') };
  if (action === 'format-settings') return { settings: form };
  return {};
}

/** Makes one change to the package through core and answers where to go next. @throws KuraError what core refuses with */
async function changePackage(deps: WebDeps, visitor: Visitor, viewed: ViewedPackage, action: PackageAction, form: FormFields): Promise<string> {
  const { core } = deps;
  const { pkg, format } = viewed;
  const { principal } = visitor;
  const settings = packageSettingsPath(pkg);
  switch (action) {
    case 'visibility': {
      const visibility = field(form, 'visibility');
      if (visibility !== 'public' && visibility !== 'private') throw new KuraError('BAD_REQUEST', 'Choose public or private.');
      await core.packages.setVisibility(principal, pkg, visibility);
      return withNotice(settings, 'visibility');
    }
    case 'link': {
      const name = field(form, 'repository');
      const repo = name ? await core.repos.find(pkg.ownerLogin, name) : null;
      if (!repo) throw new KuraError('BAD_REQUEST', name ? `${pkg.ownerLogin} has no repository ${name} that you can publish to.` : 'Choose a repository.');
      try {
        await core.packages.linkRepository(principal, pkg, repo);
      } catch (error) {
        if (isKuraError(error) && error.code === 'NOT_FOUND') throw new KuraError('BAD_REQUEST', `${pkg.ownerLogin} has no repository ${name} that you can publish to.`);
        throw error;
      }
      return withNotice(settings, 'linked');
    }
    case 'unlink':
      await core.packages.unlinkRepository(principal, pkg);
      return withNotice(settings, 'unlinked');
    case 'inherit-access': {
      const choice = field(form, 'inherit');
      if (choice !== 'yes' && choice !== 'no') throw new KuraError('BAD_REQUEST', 'Choose whether the package inherits access from its repository.');
      await core.packages.setAccessInheritance(principal, pkg, choice === 'yes');
      return withNotice(settings, choice === 'yes' ? 'inheriting' : 'own-access');
    }
    case 'member': {
      const user = field(form, 'user');
      if (!user) throw new KuraError('BAD_REQUEST', 'Give the username of the person to give a role.');
      const { member } = await core.packages.setMember(principal, pkg, user, field(form, 'role') as RepoRole);
      return withNotice(settings, 'member', member.user.login);
    }
    case 'remove-member': {
      const user = field(form, 'user');
      await core.packages.removeMember(principal, pkg, user);
      return withNotice(settings, 'member-removed', user);
    }
    case 'format-settings': {
      const ctx = deps.formatContexts.get(format.id);
      if (!format.packageSettings || !ctx) throw new KuraError('NOT_FOUND', `${format.displayName} packages have no settings`);
      const changes = changedSettings(await format.packageSettings.read(ctx, pkg), form);
      if (Object.keys(changes).length === 0) return withNotice(settings, 'settings-unchanged');
      await format.packageSettings.write(ctx, principal, pkg, changes);
      return withNotice(settings, 'settings');
    }
    case 'delete':
      if (field(form, 'confirm') !== pkg.name) {
        throw new KuraError('BAD_REQUEST', `The name typed does not match ${pkg.name}: the package was not deleted. Type its name exactly to delete it.`);
      }
      await core.packages.deletePackage(principal, pkg);
      return withNotice(packagePath(pkg), 'deleted');
    case 'restore':
      await core.packages.restorePackage(principal, pkg);
      return withNotice(packagePath(pkg), 'restored');
  }
}

/** Deletes a live version once its number was typed to confirm; a refusal shows the confirmation page again. */
async function deleteVersion(deps: WebDeps, reply: FastifyReply, visitor: Visitor, viewed: ViewedPackage, versionName: string, form: FormFields) {
  const { pkg } = viewed;
  const version = await deletableVersion(deps, visitor, viewed, versionName);
  try {
    deps.formats.requireWritable(pkg.format);
    if (field(form, 'confirm') !== version.version) {
      throw new KuraError('BAD_REQUEST', `The number typed does not match ${version.version}: the version was not deleted. Type it exactly to delete it.`);
    }
    await deps.core.packages.deleteVersion(visitor.principal, pkg, version);
    return reply.redirect(withNotice(versionsPath(pkg), 'version-deleted', version.version), 303);
  } catch (error) {
    if (!isKuraError(error) || error.status >= 500) throw error;
    return sendPage(reply, error.status === 404 ? 400 : error.status, await deleteVersionPage(deps, visitor, viewed, versionName, { error: error.message }));
  }
}

/** Restores a deleted version (not purged); a refusal (past the restore window) shows the versions list with why. */
async function restoreVersion(deps: WebDeps, reply: FastifyReply, visitor: Visitor, viewed: ViewedPackage, versionName: string) {
  const { pkg } = viewed;
  await requirePermission(deps, visitor.principal, 'delete', pkg);
  const version: VersionRecord | null = await deps.core.packages.queries.version(pkg.id, versionName);
  if (!version || !version.deletedAt || version.purgedAt) throw new KuraError('NOT_FOUND', `no deleted version ${versionName} of ${pkg.name}`);
  try {
    deps.formats.requireWritable(pkg.format);
    await deps.core.packages.restoreVersion(visitor.principal, pkg, version);
    return reply.redirect(withNotice(versionsPath(pkg), 'version-restored', version.version), 303);
  } catch (error) {
    if (!isKuraError(error) || error.status >= 500) throw error;
    return sendPage(reply, error.status, await versionsPage(deps, visitor, viewed, 1, { error: error.message }));
  }
}
