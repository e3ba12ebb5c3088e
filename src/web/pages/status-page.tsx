import { renderPage } from '../components/layout.js';
import type { Visitor } from '../visitor.js';

/** The page for a failure: "Not found" for anything missing or not visible to the visitor, else the status's own heading. */
export function statusPage(visitor: Visitor, status: number, message: string): string {
  const heading = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : status === 429 ? 'Too many attempts' : status >= 500 ? 'Something went wrong' : 'Request refused';
  return renderPage({ title: heading, visitor, wide: true }, (
    <section>
      <h1>{heading}</h1>
      <p>{message}</p>
      <p><a href="/">Back to the home page</a></p>
    </section>
  ));
}
