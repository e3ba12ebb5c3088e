import { CsrfField, renderPage } from '../components/layout.js';
import type { Visitor } from '../visitor.js';

/** The sign-in form; `next` is where a successful sign-in goes (a local path). */
export function loginPage(visitor: Visitor, options: { next: string; login?: string; error?: string }): string {
  return renderPage({ title: 'Sign in', visitor, wide: true }, (
    <section>
      <h1>Sign in to Kura</h1>
      {options.error ? <p class="error" role="alert">{options.error}</p> : null}
      <form method="post" action="/login">
        <CsrfField visitor={visitor} />
        <input type="hidden" name="next" value={options.next} />
        <label for="login">Username</label>
        <input type="text" id="login" name="login" autocomplete="username" required value={options.login ?? ''} autofocus />
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required />
        <div><button type="submit">Sign in</button></div>
      </form>
      <p class="muted">Accounts are created by the server's administrators (<code>kura user create LOGIN</code>).</p>
    </section>
  ));
}

/**
 * Where to go after signing in: a local path only, never another site. Control characters are
 * refused outright: browsers drop tabs and newlines from a Location (`/<TAB>/evil.example` would
 * lead to `//evil.example`), and a header cannot carry the others.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || [...next].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f')) return '/';
  return next;
}
