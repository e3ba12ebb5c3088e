import { KuraError } from '../../core/errors/catalogue.js';
import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { renderPage } from '../components/layout.js';
import { Readme } from '../components/readme.js';

/**
 * A security advisory's page (where `npm audit` and the API link): summary, severity and CVSS,
 * identifiers, the affected packages with their ranges and fixes, and the description.
 * @throws KuraError NOT_FOUND (also for a draft the caller may not see, or an advisory of another repository)
 */
export async function advisoryPage(deps: WebDeps, visitor: Visitor, repoFullName: string, id: string): Promise<string> {
  const advisory = await deps.core.advisories.find(visitor.principal, id);
  if (advisory.repo?.fullName.toLowerCase() !== repoFullName.toLowerCase()) throw new KuraError('NOT_FOUND', `no advisory ${id} in ${repoFullName}`);
  const identifiers = [advisory.ghsaId, ...new Set([advisory.cveId, ...advisory.aliases].filter((a): a is string => Boolean(a)))];
  return renderPage({ title: advisory.summary, visitor }, (
    <>
      <div>
        <section>
          <h1>{advisory.summary}</h1>
          <p>
            <span class="badge">{advisory.severity}</span>
            {advisory.state === 'draft' ? <span class="badge">draft</span> : null}
            {identifiers.map((i) => <span class="badge">{i}</span>)}
          </p>
          <p class="muted">Published by <a href={`/${advisory.repo.fullName}`}>{advisory.repo.fullName}</a>{advisory.publishedAt ? ` on ${advisory.publishedAt.slice(0, 10)}` : ''}</p>
        </section>
        <section>
          <h2>Affected packages</h2>
          <div class="table-scroll">
            <table>
              <thead><tr><th>Ecosystem</th><th>Package</th><th>Affected versions</th><th>Patched versions</th></tr></thead>
              <tbody>
                {advisory.vulnerabilities.map((v) => (
                  <tr><td>{v.package.ecosystem}</td><td>{v.package.name}</td><td><code>{v.vulnerable_version_range}</code></td><td>{v.patched_versions ?? 'none yet'}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <Readme text={advisory.description} />
      </div>
      <aside>
        <div>
          <h2>Severity</h2>
          <p><strong>{advisory.severity}</strong>{advisory.cvssScore !== null ? ` · CVSS ${advisory.cvssScore.toFixed(1)}` : ''}</p>
          {advisory.cvssVector ? <pre tabindex={0}>{advisory.cvssVector}</pre> : null}
        </div>
        {advisory.cweIds.length > 0 ? <div><h2>Weaknesses</h2><p>{advisory.cweIds.map((c) => <span class="badge">{c}</span>)}</p></div> : null}
        {advisory.credits.length > 0 ? <div><h2>Credits</h2><ul class="plain">{advisory.credits.map((c) => <li>{c.login} ({c.type})</li>)}</ul></div> : null}
      </aside>
    </>
  ));
}
