import type { Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';
import { CsrfField, Flash, renderPage } from '../components/layout.js';
import { timeText } from '../components/quantities.js';
import { SettingsNav } from '../components/settings-nav.js';

/** The signed-in user's live browser sessions, where from and when last used; each can be ended. */
export async function sessionsPage(deps: WebDeps, visitor: Visitor, notice?: string): Promise<string> {
  const sessions = await deps.core.sessions.list(visitor.user!.id);
  return renderPage({ title: 'Sessions', visitor, wide: true }, (
    <>
      <SettingsNav current="sessions" />
      <Flash notice={notice} />
      <section>
        <h2>Signed-in browsers</h2>
        <div class="table-scroll">
          <table>
            <thead><tr><th>Browser</th><th>Address</th><th>Signed in</th><th>Last used</th><th>End</th></tr></thead>
            <tbody>
              {sessions.map((s) => (
                <tr>
                  <td>{s.userAgent ?? 'unknown'}{s.id === visitor.session?.session.id ? <span class="badge">this browser</span> : null}</td>
                  <td>{s.address ?? 'unknown'}</td>
                  <td>{timeText(s.createdAt)}</td>
                  <td>{timeText(s.lastSeenAt)}</td>
                  <td>
                    <form class="inline" method="post" action={`/settings/sessions/${s.id}/revoke`}>
                      <CsrfField visitor={visitor} />
                      <button type="submit" class="danger">End session</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  ));
}
