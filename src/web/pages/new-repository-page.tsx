import { maxDescriptionLength } from '../../core/repos/repo-service.js';
import type { Visitor } from '../visitor.js';
import { CsrfField, Flash, renderPage } from '../components/layout.js';

/** What the New repository form was filled with, to show it again after a refusal. */
export interface RepositoryDraft {
  owner: string;
  name: string;
  description: string;
  visibility: string;
}

/** The logins a visitor may create repositories under: their own, then their organizations'. */
export function ownerChoices(visitor: Visitor): string[] {
  return visitor.user ? [visitor.user.login, ...visitor.organizations.map((o) => o.login)] : [];
}

/** The form's values before anything is typed; `owner` preselects one of the visitor's choices (any case). */
export function emptyRepositoryDraft(visitor: Visitor, owner = ''): RepositoryDraft {
  const choices = ownerChoices(visitor);
  const chosen = choices.find((login) => login.toLowerCase() === owner.toLowerCase()) ?? choices[0] ?? '';
  return { owner: chosen, name: '', description: '', visibility: 'public' };
}

/**
 * The New repository form: an owner (the signed-in user or one of their organizations), a name,
 * an optional description and public or private visibility.
 */
export function newRepositoryPage(visitor: Visitor, options: { draft: RepositoryDraft; error?: string }): string {
  const { draft } = options;
  const choices = ownerChoices(visitor);
  if (draft.owner && !choices.includes(draft.owner)) choices.push(draft.owner);
  return renderPage({ title: 'New repository', visitor, wide: true }, (
    <section>
      <h1 id="new-repository-heading">New repository</h1>
      <p class="muted">Packages link to a repository, and follow its visibility and who may read, publish to or administer it.</p>
      <Flash error={options.error} />
      <form method="post" action="/new" aria-labelledby="new-repository-heading">
        <CsrfField visitor={visitor} />
        <label for="repo-owner">Owner</label>
        <select id="repo-owner" name="owner" required>
          {choices.map((login) => <option value={login} selected={login === draft.owner}>{login}</option>)}
        </select>
        <label for="repo-name">Name</label>
        <input type="text" id="repo-name" name="name" required maxLength={100} pattern="[A-Za-z0-9_.\-]+" value={draft.name}
          autocomplete="off" aria-describedby="repo-name-help" />
        <div id="repo-name-help" class="muted">Letters, digits, “.”, “_” and “-”, up to 100 characters.</div>
        <label for="repo-description">Description</label>
        <textarea id="repo-description" name="description" rows={3} maxLength={maxDescriptionLength} aria-describedby="repo-description-help">{draft.description}</textarea>
        <div id="repo-description-help" class="muted">Optional.</div>
        <VisibilityChoice visibility={draft.visibility} />
        <div><button type="submit">Create repository</button></div>
      </form>
    </section>
  ));
}

/** The Visibility radio buttons, each with what it means. */
export function VisibilityChoice({ visibility }: { visibility: string }) {
  return (
    <fieldset>
      <legend>Visibility</legend>
      <label class="check">
        <input type="radio" name="visibility" value="public" checked={visibility !== 'private'} />
        <span>Public: anyone can see and install its packages.</span>
      </label>
      <label class="check">
        <input type="radio" name="visibility" value="private" checked={visibility === 'private'} />
        <span>Private: only its owner, collaborators and organization members see it.</span>
      </label>
    </fieldset>
  );
}
