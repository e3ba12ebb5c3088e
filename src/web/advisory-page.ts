import type { Principal } from '../core/access/principal.js';
import { KuraError } from '../core/errors/catalogue.js';
import type { PageDeps } from './pages.js';
import { html } from './html.js';
import { layout } from './layout.js';
import { renderReadme } from './readme.js';

/**
 * A security advisory's page (where `npm audit` and the API link): summary, severity and CVSS,
 * identifiers, the affected packages with their ranges and fixes, and the description.
 * @throws KuraError NOT_FOUND (also for a draft the caller may not see, or an advisory of another repository)
 */
export async function advisoryPage(deps: PageDeps, principal: Principal, repoFullName: string, id: string): Promise<string> {
  const advisory = await deps.core.advisories.find(principal, id);
  if (advisory.repo?.fullName.toLowerCase() !== repoFullName.toLowerCase()) throw new KuraError('NOT_FOUND', `no advisory ${id} in ${repoFullName}`);
  const identifiers = [advisory.ghsaId, ...new Set([advisory.cveId, ...advisory.aliases].filter((a): a is string => Boolean(a)))];
  return layout(advisory.summary, html`<div>
    <section><h1>${advisory.summary}</h1>
      <p><span class="badge">${advisory.severity}</span>${advisory.state === 'draft' ? html`<span class="badge">draft</span>` : ''}
      ${identifiers.map((i) => html`<span class="badge">${i}</span>`)}</p>
      <p class="muted">Published by <a href="/${advisory.repo.fullName}">${advisory.repo.fullName}</a>${advisory.publishedAt ? html` on ${advisory.publishedAt.slice(0, 10)}` : ''}</p></section>
    <section><h2>Affected packages</h2><table><tr><th>Ecosystem</th><th>Package</th><th>Affected versions</th><th>Patched versions</th></tr>
      ${advisory.vulnerabilities.map((v) => html`<tr><td>${v.package.ecosystem}</td><td>${v.package.name}</td><td><code>${v.vulnerable_version_range}</code></td><td>${v.patched_versions ?? 'none yet'}</td></tr>`)}</table></section>
    <section class="readme">${renderReadme(advisory.description)}</section>
  </div><aside>
    <div><h2>Severity</h2><p><strong>${advisory.severity}</strong>${advisory.cvssScore !== null ? html` · CVSS ${advisory.cvssScore.toFixed(1)}` : ''}</p>
      ${advisory.cvssVector ? html`<pre>${advisory.cvssVector}</pre>` : ''}</div>
    ${advisory.cweIds.length > 0 ? html`<div><h2>Weaknesses</h2><p>${advisory.cweIds.map((c) => html`<span class="badge">${c}</span>`)}</p></div>` : ''}
    ${advisory.credits.length > 0 ? html`<div><h2>Credits</h2><p>${advisory.credits.map((c) => html`${c.login} (${c.type}) `)}</p></div>` : ''}
  </aside>`);
}
