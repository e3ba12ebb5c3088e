import type { FastifyReply, FastifyRequest } from 'fastify';
import { isKuraError, type KuraError } from '../../core/errors/catalogue.js';
import { signInPath } from '../paths.js';
import { visitorOf, type Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';

/** Sends a page that is never cached (it holds a form token). */
export const sendFormPage = (reply: FastifyReply, status: number, page: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);

/** The visitor of a page of forms, or null after redirecting one without a browser session to sign in (coming back afterwards). */
export async function sessionVisitor(deps: WebDeps, request: FastifyRequest, reply: FastifyReply): Promise<Visitor | null> {
  const visitor = await visitorOf(deps, request, reply);
  if (visitor.session) return visitor;
  await reply.redirect(signInPath(request.url), 303);
  return null;
}

/**
 * A refusal to show on the form's page, with the status to answer with: core's 4xx refusals
 * (a field naming no user is a bad field, 400, not a missing page). Anything else is rethrown.
 */
export function formRefusal(error: unknown): { status: number; message: string } {
  if (!isKuraError(error) || error.status >= 500) throw error;
  const refusal: KuraError = error;
  return { status: refusal.code === 'NOT_FOUND' ? 400 : refusal.status, message: refusal.message };
}

/** A string from the query string, or ''. */
export function queryText(query: unknown, key: string): string {
  const value = (query as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value : '';
}

/** A login as logins are written (for notices read back from the query string), or null. */
export function loginText(text: string): string | null {
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]){0,38}$/.test(text) ? text : null;
}
