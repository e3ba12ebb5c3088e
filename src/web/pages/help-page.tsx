import { KuraError } from '../../core/errors/catalogue.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { renderPage, Snippet } from '../components/layout.js';

/**
 * How to point one format's clients at this server: its address, when a token is needed, and
 * the files and commands to paste (with TOKEN to replace by one from the tokens page).
 * @throws KuraError NOT_FOUND (unknown or disabled format)
 */
export function helpPage(deps: WebDeps, visitor: Visitor, formatId: string): string {
  const format = deps.formats.find(formatId);
  if (!format || !deps.formats.isVisible(format.id)) throw new KuraError('NOT_FOUND', `no format ${formatId} on this server`);
  const setup = format.clientSetup({ baseUrl: visitor.baseUrl, owner: visitor.user?.login ?? 'OWNER', token: null });
  return renderPage({ title: `Set up ${format.displayName}`, visitor, wide: true }, (
    <section>
      <h1>Set up {format.displayName}</h1>
      <p>{setup.intro}</p>
      <p>Address: <code>{setup.endpoint}</code>{deps.formats.mode(format.id) === 'read-only' ? ' (read-only on this server: downloads work, uploads are refused)' : ''}</p>
      {setup.snippets.map((s) => <Snippet label={s.client} code={s.code} />)}
      <p class="muted">
        Replace TOKEN with a personal access token{visitor.user ? <> from <a href="/settings/tokens">your tokens page</a></> : <> (<a href="/login?next=%2Fsettings%2Ftokens">sign in</a> to create one)</>}.
        {visitor.user ? null : ' Replace OWNER with the user or organization that owns the packages.'}
      </p>
    </section>
  ));
}
