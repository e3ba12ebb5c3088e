/** The tabs of a user's settings: tokens and browser sessions. */
export function SettingsNav({ current }: { current: 'tokens' | 'sessions' }) {
  return (
    <nav class="tabs" aria-label="Settings">
      <h1>Settings</h1>
      <a href="/settings/tokens" aria-current={current === 'tokens' ? 'page' : undefined}>Tokens</a>
      <a href="/settings/sessions" aria-current={current === 'sessions' ? 'page' : undefined}>Sessions</a>
    </nav>
  );
}
