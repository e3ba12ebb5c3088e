import { maxTokenNameLength, type TokenRecord } from '../../core/tokens/token-service.js';
import type { ClientSetup } from '../../formats/contract.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { CsrfField, Flash, renderPage, Snippet } from '../components/layout.js';
import { timeText } from '../components/quantities.js';
import { SettingsNav } from '../components/settings-nav.js';

/** The scopes a token made in the browser can have (an `admin` token is made with the CLI or the API). */
export const formScopes = [
  { value: 'read:packages', label: 'read:packages: download and read packages' },
  { value: 'write:packages', label: 'write:packages: publish packages' },
  { value: 'delete:packages', label: 'delete:packages: delete and restore packages' },
] as const;

/** Choices of the Expires field: days, or never. */
export const expiryChoices = ['7', '30', '90', '365', 'never'] as const;

/** What the New token form was filled with, to show it again after a refusal. */
export interface TokenDraft {
  name: string;
  scopes: readonly string[];
  expires: string;
  repository: string;
}

export const emptyDraft: TokenDraft = { name: '', scopes: ['read:packages'], expires: '30', repository: '' };

/** A token just created: its only plain-text copy, and client set-ups filled in with it. */
export interface CreatedToken {
  token: string;
  record: TokenRecord;
  setups: Array<{ format: string; setup: ClientSetup }>;
}

/**
 * The signed-in user's tokens: the New token form, a token just created (shown this once, with
 * client configuration for this server), and every token with its scopes, expiry and last use,
 * revocable while active.
 */
export async function tokensPage(deps: WebDeps, visitor: Visitor, options: { draft?: TokenDraft; created?: CreatedToken; notice?: string; error?: string } = {}): Promise<string> {
  const user = visitor.user!;
  const tokens = await deps.core.tokens.list(user.id);
  const repoNames = new Map<number, string>();
  for (const id of new Set(tokens.flatMap((t) => (t.repoId === null ? [] : [t.repoId])))) {
    const repo = await deps.core.repos.findById(id);
    if (repo) repoNames.set(id, repo.fullName);
  }
  const now = deps.core.deps.now();
  const draft = options.draft ?? emptyDraft;
  return renderPage({ title: 'Tokens', visitor, wide: true }, (
    <>
      <SettingsNav current="tokens" />
      <Flash notice={options.notice} error={options.error} />
      {options.created ? <CreatedTokenSection created={options.created} /> : null}
      <section>
        <h2 id="new-token-heading">New token</h2>
        <form method="post" action="/settings/tokens" aria-labelledby="new-token-heading">
          <CsrfField visitor={visitor} />
          <label for="token-name">Name</label>
          <input type="text" id="token-name" name="name" required maxLength={maxTokenNameLength} value={draft.name} placeholder="laptop, CI deploy…" />
          <fieldset>
            <legend>Scopes</legend>
            {formScopes.map((scope) => (
              <label class="check">
                <input type="checkbox" name="scopes" value={scope.value} checked={draft.scopes.includes(scope.value)} /> {scope.label}
              </label>
            ))}
          </fieldset>
          <label for="token-expires">Expires</label>
          <select id="token-expires" name="expires">
            {expiryChoices.map((choice) => <option value={choice} selected={draft.expires === choice}>{choice === 'never' ? 'Never' : `In ${choice} days`}</option>)}
          </select>
          <label for="token-repository">Repository</label>
          <input type="text" id="token-repository" name="repository" value={draft.repository} placeholder="OWNER/NAME (optional: limit the token to one repository)" aria-describedby="token-repository-help" />
          <div id="token-repository-help" class="muted">Optional. Leave empty for a token that reaches everything you can.</div>
          <div><button type="submit">Create token</button></div>
        </form>
      </section>
      <section>
        <h2>Your tokens</h2>
        {tokens.length === 0 ? <p class="muted">No tokens yet.</p> : (
          <div class="table-scroll">
            <table>
              <thead><tr><th>Name</th><th>Scopes</th><th>Repository</th><th>Expires</th><th>Last used</th><th>State</th><th>Revoke</th></tr></thead>
              <tbody>
                {tokens.map((t) => {
                  const state = tokenState(t, now);
                  return (
                    <tr>
                      <td>{t.name}</td>
                      <td>{t.scopes.map((s) => <span class="badge">{s}</span>)}</td>
                      <td>{t.repoId === null ? 'All' : repoNames.get(t.repoId) ?? 'deleted repository'}</td>
                      <td>{t.expiresAt ? timeText(t.expiresAt) : 'Never'}</td>
                      <td>{t.lastUsedAt ? timeText(t.lastUsedAt) : 'Never'}</td>
                      <td>{state}</td>
                      <td>
                        {state === 'active' ? (
                          <form class="inline" method="post" action={`/settings/tokens/${t.id}/revoke`}>
                            <CsrfField visitor={visitor} />
                            <button type="submit" class="danger">Revoke</button>
                          </form>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  ));
}

function tokenState(token: TokenRecord, now: Date): 'active' | 'revoked' | 'expired' {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

function CreatedTokenSection({ created }: { created: CreatedToken }) {
  return (
    <section aria-labelledby="created-heading">
      <h2 id="created-heading">Token “{created.record.name}” created</h2>
      <p class="notice" role="status">Copy it now: it is shown only this once.</p>
      <pre tabindex={0}><code id="new-token">{created.token}</code></pre>
      <h3>Use it with your clients</h3>
      {created.setups.map(({ format, setup }) => (
        <details open={format === 'npm'}>
          <summary>{format}</summary>
          <p class="muted">{setup.intro}</p>
          {setup.snippets.map((s) => <Snippet label={s.client} code={s.code} />)}
        </details>
      ))}
    </section>
  );
}
