import type { FastifyRequest } from 'fastify';
import type { Core } from '../core/core.js';
import { KuraError } from '../core/errors/catalogue.js';
import type { Visitor } from './visitor.js';

/** A posted form's fields; a field sent more than once keeps every value. */
export type FormFields = Record<string, string | string[] | undefined>;

/** The first value of a form field, trimmed, or '' when absent. */
export function field(form: FormFields, name: string): string {
  const value = form[name];
  return (Array.isArray(value) ? value[0] ?? '' : value ?? '').trim();
}

/** Every value of a form field (checkbox groups). */
export function fields(form: FormFields, name: string): string[] {
  const value = form[name];
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/**
 * Admits a posted form only when it comes from this site's own page: the browser's `Origin`
 * and `Sec-Fetch-Site`, when sent, must say same origin, and the form's `csrf` field must be the
 * token bound to this visitor. Runs before the form is acted on.
 * @throws KuraError CSRF_REJECTED
 */
export async function admitForm(core: Core, request: FastifyRequest, visitor: Visitor, baseUrl: string): Promise<FormFields> {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    throw new KuraError('CSRF_REJECTED', 'the form was posted from another site');
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null' && origin !== new URL(baseUrl).origin) {
    throw new KuraError('CSRF_REJECTED', 'the form was posted from another site');
  }
  if (origin === 'null') throw new KuraError('CSRF_REJECTED', 'the form was posted from another site');
  const form = (request.body ?? {}) as FormFields;
  if (!(await core.csrf.verify(visitor.csrfBinding, field(form, 'csrf')))) {
    throw new KuraError('CSRF_REJECTED', 'the form has expired or did not come from this site; reload the page and try again');
  }
  return form;
}
