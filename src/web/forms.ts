import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KuraError } from '../core/errors/catalogue.js';
import { visitorOf, type Visitor } from './visitor.js';
import type { WebDeps } from './web-deps.js';

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

const formType = 'application/x-www-form-urlencoded';
/** Forms are a few fields; anything larger is not one of Kura's forms. */
const formBodyLimit = 64 * 1024;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Marks a web route that takes a posted form; see {@link guardForms}. */
    webForm?: boolean;
  }
}

/**
 * Makes `scope` take HTML forms and nothing else: `application/x-www-form-urlencoded` bodies
 * (up to 64 KiB) are parsed into {@link FormFields}; every write route must be registered through
 * {@link onForm} (registration fails otherwise); any other body type gets 415 before it is read.
 */
export function guardForms(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(formType, { parseAs: 'string', bodyLimit: formBodyLimit }, (_request, body, done) => {
    // Fields are looked up by name: no inherited ones (`constructor`, `__proto__`) to confuse them with.
    const form = Object.create(null) as FormFields;
    for (const [key, value] of new URLSearchParams(body as string)) {
      // No text Kura stores may hold U+0000 (PostgreSQL refuses it).
      if (key.includes('\u0000') || value.includes('\u0000')) return done(new KuraError('BAD_REQUEST', 'A field of the form holds a NUL character, which no field may contain.'), undefined);
      const seen = form[key];
      form[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
    done(null, form);
  });
  scope.addHook('onRoute', (route) => {
    const methods = [route.method].flat().map((m) => m.toUpperCase());
    if (methods.some((m) => m !== 'GET' && m !== 'HEAD') && !route.config?.webForm) {
      throw new Error(`${methods.join(',')} ${route.url}: a web write route is registered with onForm`);
    }
  });
}

/**
 * Admits a posted form only when it comes from this site's own page: the browser's `Origin`
 * and `Sec-Fetch-Site`, when sent, must say same origin, and the form's `csrf` field must be the
 * token bound to this visitor.
 * @throws KuraError UNSUPPORTED_MEDIA_TYPE (not a form), CSRF_REJECTED
 */
export async function admitForm(deps: WebDeps, request: FastifyRequest, visitor: Visitor): Promise<FormFields> {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== formType) throw new KuraError('UNSUPPORTED_MEDIA_TYPE', `expected a form (${formType}), not ${type || 'a body without a Content-Type'}`);
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    throw new KuraError('CSRF_REJECTED', 'the form was posted from another site');
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== new URL(visitor.baseUrl).origin) {
    throw new KuraError('CSRF_REJECTED', 'the form was posted from another site');
  }
  const form = (request.body ?? {}) as FormFields;
  if (!(await deps.core.csrf.verify(visitor.csrfBinding, field(form, 'csrf')))) {
    throw new KuraError('CSRF_REJECTED', 'the form has expired or did not come from this site; reload the page and try again');
  }
  return form;
}

/** What a form handler gets: the request, the reply, the visitor and the admitted form. */
export interface FormSubmission {
  request: FastifyRequest;
  reply: FastifyReply;
  visitor: Visitor;
  form: FormFields;
}

/**
 * Registers `POST url` as a form of the web UI: the body must be a form (415 otherwise, before it
 * is read), CSRF is checked before anything else happens, and unless `anonymous` is set the
 * visitor must be signed in with a browser session (a token in `Authorization` is for the REST
 * API, not for forms); that is checked first, so a signed-out visitor learns nothing else.
 * @throws KuraError UNAUTHENTICATED (no session), CSRF_REJECTED, UNSUPPORTED_MEDIA_TYPE
 */
export function onForm(app: FastifyInstance, deps: WebDeps, url: string, options: { anonymous?: boolean }, handler: (submission: FormSubmission) => Promise<unknown>): void {
  app.post(url, {
    config: { webForm: true },
    onRequest: async (request) => {
      const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (type !== formType) throw new KuraError('UNSUPPORTED_MEDIA_TYPE', `expected a form (${formType}), not ${type || 'a body without a Content-Type'}`);
    },
  }, async (request, reply) => {
    const visitor = await visitorOf(deps, request, reply);
    if (!options.anonymous && !visitor.session) throw new KuraError('UNAUTHENTICATED', 'sign in to do this');
    const form = await admitForm(deps, request, visitor);
    return handler({ request, reply, visitor, form });
  });
}
