import type { Alert } from '../../core/alerts/alert.js';
import { advisoryPageUrl } from '../../core/advisories/advisory.js';

/** The open alerts of a repository or package: what is affected, through which path, and the version to move to. */
export function AlertList({ alerts }: { alerts: readonly Alert[] }) {
  if (alerts.length === 0) return null;
  return (
    <section>
      <h2>Security alerts</h2>
      <div class="table-scroll">
        <table>
          <thead><tr><th>Severity</th><th>Dependency</th><th>Advisory</th><th>Path</th><th>Fix</th></tr></thead>
          <tbody>
            {alerts.map((a) => (
              <tr id={`alert-${a.number}`}>
                <td><span class="badge">{a.advisory.severity}</span></td>
                <td>{a.dependency} <code>{a.vulnerableRange}</code></td>
                <td><a href={advisoryPageUrl(a.advisory, '')}>{a.advisory.summary}</a></td>
                <td>{a.path.join(' → ')}</td>
                <td><FixText alert={a} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function FixText({ alert }: { alert: Alert }) {
  if (!alert.firstPatched) return <>no fix yet</>;
  if (alert.patchedAdmitted === true) return <>{alert.firstPatched} (already admitted by the declared range)</>;
  if (alert.patchedAdmitted === false) return <>{alert.firstPatched} (declared <code>{alert.declaredRange}</code> excludes it)</>;
  return <>{alert.firstPatched}</>;
}
