import type { Alert } from '../core/alerts/alert.js';
import { advisoryPageUrl } from '../core/advisories/advisory.js';
import { html, type SafeHtml } from './html.js';

/** The open alerts of a repository or package: what is affected, through which path, and the version to move to. */
export function alertSection(alerts: readonly Alert[]): SafeHtml {
  if (alerts.length === 0) return html``;
  return html`<section><h2>Security alerts</h2><table><tr><th>Severity</th><th>Dependency</th><th>Advisory</th><th>Path</th><th>Fix</th></tr>
    ${alerts.map((a) => html`<tr id="alert-${a.number}"><td><span class="badge">${a.advisory.severity}</span></td>
      <td>${a.dependency} <code>${a.vulnerableRange}</code></td>
      <td><a href="${advisoryPageUrl(a.advisory, '')}">${a.advisory.summary}</a></td>
      <td>${a.path.join(' → ')}</td>
      <td>${a.firstPatched ? html`${a.firstPatched}${a.patchedAdmitted === true ? ' (already admitted by the declared range)' : a.patchedAdmitted === false ? html` (declared <code>${a.declaredRange}</code> excludes it)` : ''}` : 'no fix yet'}</td></tr>`)}
  </table></section>`;
}
