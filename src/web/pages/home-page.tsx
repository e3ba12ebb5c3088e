import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { renderPage } from '../components/layout.js';
import { PackageList } from '../components/package-list.js';
import { visiblePackages } from '../visible-packages.js';

/**
 * The home page: search results, or the most recently updated packages; and for a newcomer the
 * formats this server serves, where their clients point, and a setup page for each.
 */
export async function homePage(deps: WebDeps, visitor: Visitor, query: string): Promise<string> {
  const text = query.trim();
  const found = await visiblePackages(deps, visitor.principal, await deps.core.packages.queries.search(null, text, 200));
  const served = deps.formats.all.filter((f) => deps.formats.isVisible(f.id));
  const owner = visitor.user?.login ?? 'OWNER';
  return renderPage({ title: text ? `Search: ${text}` : 'Packages', visitor, wide: true, query: text }, (
    <>
      {!text ? (
        <section>
          <h1>Kura package registry</h1>
          <p>
            This server hosts packages for the clients a team already uses. Public packages install without a token.{' '}
            {visitor.user ? <>Create a token on <a href="/settings/tokens">your tokens page</a> to publish.</> : <><a href="/login">Sign in</a> to publish, create tokens and see private packages.</>}
          </p>
          <h2>Formats served here</h2>
          <ul class="formats">
            {served.map((format) => (
              <li>
                <span><strong>{format.displayName}</strong>{deps.formats.mode(format.id) === 'read-only' ? <> <span class="badge">read-only</span></> : null}</span>
                <code>{format.clientSetup({ baseUrl: visitor.baseUrl, owner, token: null }).endpoint}</code>
                <a href={`/-/help/${format.id}`}>Set up {format.displayName}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section>
        <h2>{text ? `Packages matching “${text}”` : 'Recently updated packages'}</h2>
        <PackageList packages={found} formats={deps.formats} empty={text ? 'No package matches.' : 'No packages yet.'} />
      </section>
    </>
  ));
}
