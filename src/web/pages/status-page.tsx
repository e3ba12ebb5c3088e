import { renderPage } from '../components/layout.js';
import type { Visitor } from '../visitor.js';

const headings: Record<number, string> = { 401: 'Sign in required', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict', 413: 'Too large', 415: 'Not a form', 429: 'Too many attempts' };

/** The page for a failure: "Not found" for anything missing or not visible to the visitor, else the status's own heading. */
export function statusPage(visitor: Visitor, status: number, message: string, signIn?: string): string {
  const heading = headings[status] ?? (status >= 500 ? 'Something went wrong' : 'Request refused');
  return renderPage({ title: heading, visitor, wide: true }, (
    <section>
      <h1>{heading}</h1>
      <p>{message}</p>
      {signIn ? <p><a href={signIn}>Sign in</a></p> : null}
      <p><a href="/">Back to the home page</a></p>
    </section>
  ));
}
