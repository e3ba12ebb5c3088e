import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { assets } from '../assets.js';
import type { Visitor } from '../visitor.js';

export interface PageOptions {
  title: string;
  visitor: Visitor;
  /** One column instead of content plus sidebar. */
  wide?: boolean;
  /** The search box's current text. */
  query?: string;
}

/** The header every page shares: home, search, who is signed in and their organizations (or a sign-in link). */
function Header({ visitor, query }: { visitor: Visitor; query: string }) {
  return (
    <header>
      <a class="skip" href="#content">Skip to content</a>
      <a class="brand" href="/">Kura</a>
      <form class="search" action="/" method="get" role="search">
        <input type="search" name="q" aria-label="Search packages" placeholder="Search packages" value={query} />
      </form>
      <nav aria-label="Account">
        {visitor.user ? (
          <>
            <a href={`/${visitor.user.login}`}>{visitor.user.login}</a>
            {visitor.organizations.map((org) => <a class="org" href={`/${org.login}`}>{org.login}</a>)}
            {visitor.session ? <a href="/new">New repository</a> : null}
            <a href="/settings/tokens">Tokens</a>
            {visitor.session ? (
              <form class="inline" method="post" action="/logout">
                <CsrfField visitor={visitor} />
                <button type="submit">Sign out</button>
              </form>
            ) : null}
          </>
        ) : (
          <a href="/login">Sign in</a>
        )}
      </nav>
    </header>
  );
}

/** Renders a whole page: the shell with header, then the page's own content, as an HTML document. */
export function renderPage(options: PageOptions, content: ComponentChildren): string {
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{`${options.title} · Kura`}</title>
        <link rel="stylesheet" href={assets.stylesheet.path} />
        <script src={assets.copyScript.path} defer />
      </head>
      <body>
        <Header visitor={options.visitor} query={options.query ?? ''} />
        <main id="content" class={options.wide ? 'wide' : undefined}>{content}</main>
      </body>
    </html>
  );
  return `<!doctype html>${renderToString(page)}`;
}

/** The hidden field every form carries. */
export function CsrfField({ visitor }: { visitor: Visitor }) {
  return <input type="hidden" name="csrf" value={visitor.csrfToken} />;
}

/** A block of code to paste, with a copy button added by the page script. */
export function Snippet({ label, code, id }: { label?: string; code: string; id?: string }) {
  return (
    <div class="snippet">
      {label ? <div class="muted">{label}</div> : null}
      <pre tabindex={0}><code id={id}>{code}</code></pre>
    </div>
  );
}

/** A notice after a change ("Token revoked."), or an error message, at the top of a page. */
export function Flash({ notice, error }: { notice?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {notice ? <p class="notice" role="status">{notice}</p> : null}
      {error ? <p class="error" role="alert">{error}</p> : null}
    </>
  );
}
