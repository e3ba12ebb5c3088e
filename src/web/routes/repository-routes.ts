import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ownerTarget } from '../../core/access/access-policy.js';
import { KuraError } from '../../core/errors/catalogue.js';
import { parseRepoName } from '../../core/ids/names.js';
import { repoRoles, type RepoRole, type Repository, type Visibility } from '../../core/repos/repository.js';
import { field, onForm, type FormFields } from '../forms.js';
import { emptyRepositoryDraft, newRepositoryPage, type RepositoryDraft } from '../pages/new-repository-page.js';
import { repositorySettingsPage, repositorySettingsPath, type RepositorySettingsDraft } from '../pages/repository-settings-page.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { formRefusal, loginText, queryText, sendFormPage, sessionVisitor } from './form-pages.js';

/** The notices the settings page shows after a change, by the `done` of its query string. */
function settingsNotice(query: unknown): string | undefined {
  const done = queryText(query, 'done');
  const user = loginText(queryText(query, 'user'));
  const role = repoRoles.find((r) => r === queryText(query, 'role'));
  if (done === 'saved') return 'Settings saved.';
  if (!user) return undefined;
  if (done === 'added' && role) return `${user} is now a collaborator with the ${role} role.`;
  if (done === 'changed' && role) return `${user} now has the ${role} role.`;
  if (done === 'removed') return `${user} is no longer a collaborator.`;
  return undefined;
}

const repoParams = (request: FastifyRequest) => request.params as { owner: string; repo: string; login?: string };

/**
 * Creating repositories (`/new`) and a repository's settings (`/OWNER/REPO/settings`: description,
 * visibility, collaborators and their roles). Every change is core's, made as the signed-in user,
 * so it is decided and audited as through the REST API; the settings exist only for the
 * repository's admins (a 404 page for everyone else, for its forms too).
 */
export function registerRepositoryRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { core } = deps;

  /** The repository when the visitor administers it. @throws KuraError NOT_FOUND otherwise */
  const administered = async (visitor: Visitor, request: FastifyRequest): Promise<Repository> => {
    const { owner, repo: name } = repoParams(request);
    const repo = await core.repos.find(owner, name);
    const ownerRow = repo ? await core.owners.findById(repo.ownerId) : null;
    if (!repo || !ownerRow || !(await core.access.permits(visitor.principal, 'administer', { kind: 'repository', owner: ownerTarget(ownerRow), repo }))) {
      throw new KuraError('NOT_FOUND', `no repository ${owner}/${name}`);
    }
    return repo;
  };

  /** Where to go after a change: the settings while the visitor still administers the repository, else the repository or its owner. */
  const afterChange = async (visitor: Visitor, repo: Repository, query: string): Promise<string> => {
    const owner = (await core.owners.findById(repo.ownerId))!;
    const subject = { kind: 'repository' as const, owner: ownerTarget(owner), repo: (await core.repos.findById(repo.id)) ?? repo };
    if (await core.access.permits(visitor.principal, 'administer', subject)) return `${repositorySettingsPath(repo)}?${query}`;
    return (await core.access.permits(visitor.principal, 'read', subject)) ? `/${repo.fullName}` : `/${owner.login}`;
  };

  const settingsRefusal = async (visitor: Visitor, repo: Repository, error: unknown, draft: RepositorySettingsDraft) => {
    const refusal = formRefusal(error);
    return { status: refusal.status, page: await repositorySettingsPage(deps, visitor, repo, { error: refusal.message, draft }) };
  };

  app.get('/new', async (request, reply) => {
    const visitor = await sessionVisitor(deps, request, reply);
    if (!visitor) return reply;
    return sendFormPage(reply, 200, newRepositoryPage(visitor, { draft: emptyRepositoryDraft(visitor, queryText(request.query, 'owner')) }));
  });

  onForm(app, deps, '/new', {}, async ({ reply, visitor, form }) => {
    const draft: RepositoryDraft = { owner: field(form, 'owner'), name: field(form, 'name'), description: field(form, 'description'), visibility: field(form, 'visibility') };
    try {
      if (!draft.owner) throw new KuraError('BAD_REQUEST', 'Choose the owner of the repository.');
      if (!draft.name) throw new KuraError('BAD_REQUEST', 'Give the repository a name.');
      parseRepoName(draft.name);
      const repo = await core.repos.create({
        fullName: `${draft.owner}/${draft.name}`,
        visibility: draft.visibility ? draft.visibility as Visibility : undefined,
        description: draft.description || undefined,
      }, visitor.principal);
      return reply.redirect(`/${repo.fullName}`, 303);
    } catch (error) {
      const refusal = formRefusal(error);
      return sendFormPage(reply, refusal.status, newRepositoryPage(visitor, { draft, error: refusal.message }));
    }
  });

  app.get('/:owner/:repo/settings', async (request, reply) => {
    const visitor = await sessionVisitor(deps, request, reply);
    if (!visitor) return reply;
    const repo = await administered(visitor, request);
    return sendFormPage(reply, 200, await repositorySettingsPage(deps, visitor, repo, { notice: settingsNotice(request.query) }));
  });

  onForm(app, deps, '/:owner/:repo/settings', {}, async ({ request, reply, visitor, form }) => {
    const repo = await administered(visitor, request);
    const draft: RepositorySettingsDraft = { description: optionalField(form, 'description'), visibility: optionalField(form, 'visibility') };
    try {
      await core.repos.update(repo, { description: draft.description, visibility: draft.visibility as Visibility | undefined }, visitor.principal);
      return reply.redirect(await afterChange(visitor, repo, 'done=saved'), 303);
    } catch (error) {
      const { status, page } = await settingsRefusal(visitor, repo, error, draft);
      return sendFormPage(reply, status, page);
    }
  });

  onForm(app, deps, '/:owner/:repo/settings/collaborators', {}, async ({ request, reply, visitor, form }) => {
    const repo = await administered(visitor, request);
    const draft: RepositorySettingsDraft = { collaborator: field(form, 'login'), role: field(form, 'role') };
    try {
      if (!draft.collaborator) throw new KuraError('BAD_REQUEST', 'Enter the username of the collaborator to add.');
      const { collaborator, created } = await core.repos.setCollaborator(repo, draft.collaborator, draft.role as RepoRole, visitor.principal);
      const done = `done=${created ? 'added' : 'changed'}&user=${encodeURIComponent(collaborator.user.login)}&role=${draft.role}`;
      return reply.redirect(await afterChange(visitor, repo, done), 303);
    } catch (error) {
      const { status, page } = await settingsRefusal(visitor, repo, error, draft);
      return sendFormPage(reply, status, page);
    }
  });

  onForm(app, deps, '/:owner/:repo/settings/collaborators/:login', {}, async ({ request, reply, visitor, form }) => {
    const repo = await administered(visitor, request);
    const role = field(form, 'role');
    try {
      const { collaborator } = await core.repos.setCollaborator(repo, repoParams(request).login ?? '', role as RepoRole, visitor.principal);
      return reply.redirect(await afterChange(visitor, repo, `done=changed&user=${encodeURIComponent(collaborator.user.login)}&role=${role}`), 303);
    } catch (error) {
      const { status, page } = await settingsRefusal(visitor, repo, error, {});
      return sendFormPage(reply, status, page);
    }
  });

  onForm(app, deps, '/:owner/:repo/settings/collaborators/:login/remove', {}, async ({ request, reply, visitor }) => {
    const repo = await administered(visitor, request);
    const login = repoParams(request).login ?? '';
    try {
      await core.repos.removeCollaborator(repo, login, visitor.principal);
      const user = (await core.owners.requireUser(login)).login;
      return reply.redirect(await afterChange(visitor, repo, `done=removed&user=${encodeURIComponent(user)}`), 303);
    } catch (error) {
      const { status, page } = await settingsRefusal(visitor, repo, error, {});
      return sendFormPage(reply, status, page);
    }
  });
}

/** A field's trimmed value, or undefined when the form does not carry it (nothing to change). */
function optionalField(form: FormFields, name: string): string | undefined {
  return form[name] === undefined ? undefined : field(form, name);
}
