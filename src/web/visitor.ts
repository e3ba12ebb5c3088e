import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { anonymous, passwordPrincipal, type Principal } from '../core/access/principal.js';
import type { Owner } from '../core/owners/owner.js';
import type { SessionIdentity } from '../core/sessions/session-service.js';
import type { WebDeps } from './web-deps.js';
import type {} from '@fastify/cookie';

export const sessionCookie = 'kura_session';
/** A random id of the browser's own, binding the forms of visitors not signed in (the sign-in form). */
export const visitorCookie = 'kura_visitor';

/** Who is looking at a page, and the CSRF token their forms carry. */
export interface Visitor {
  principal: Principal;
  /** The signed-in user, through a session or an `Authorization` header. */
  user: Owner | null;
  /** The organizations the signed-in user belongs to. */
  organizations: Owner[];
  session: SessionIdentity | null;
  csrfToken: string;
  /** What the visitor's form tokens are bound to. */
  csrfBinding: string;
  /** The public base URL of this server (no trailing slash), for snippets and origin checks. */
  baseUrl: string;
}

/** Cookie attributes: never readable by scripts, sent on top-level navigation only, `Secure` over https. */
export function cookieOptions(request: FastifyRequest, baseUrl: string, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: baseUrl.startsWith('https:') || request.protocol === 'https',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

const resolved = new WeakMap<FastifyRequest, Promise<Visitor>>();

/**
 * The visitor of a page, resolved once per request: a live browser session first, else the
 * request's `Authorization` header (scripts and tests read pages with tokens), else anonymous. A
 * session cookie that no longer names a live session is cleared. Visitors without a session get
 * a visitor cookie so the sign-in form can carry a CSRF token too.
 * @throws KuraError UNAUTHENTICATED when an `Authorization` header carries a bad token
 */
export function visitorOf(deps: WebDeps, request: FastifyRequest, reply: FastifyReply): Promise<Visitor> {
  let visitor = resolved.get(request);
  if (!visitor) {
    visitor = resolveVisitor(deps, request, reply);
    resolved.set(request, visitor);
  }
  return visitor;
}

async function resolveVisitor(deps: WebDeps, request: FastifyRequest, reply: FastifyReply): Promise<Visitor> {
  const { core } = deps;
  const baseUrl = deps.urls.base(request);
  const cookie = request.cookies[sessionCookie];
  const session = cookie ? await core.sessions.resume(cookie) : null;
  if (cookie && !session) reply.clearCookie(sessionCookie, { path: '/' });
  if (session) {
    const [csrfToken, organizations] = await Promise.all([core.csrf.issue(session.csrfBinding), organizationsOf(deps, session.user)]);
    return { principal: passwordPrincipal(session.user), user: session.user, organizations, session, csrfBinding: session.csrfBinding, csrfToken, baseUrl };
  }
  const principal = await deps.authenticate(request);
  const user = principal.kind === 'user' ? principal.user : null;
  const csrfBinding = `visitor:${visitorId(request, reply, baseUrl)}`;
  const [csrfToken, organizations] = await Promise.all([core.csrf.issue(csrfBinding), organizationsOf(deps, user)]);
  return { principal, user, organizations, session: null, csrfBinding, csrfToken, baseUrl };
}

async function organizationsOf(deps: WebDeps, user: Owner | null): Promise<Owner[]> {
  return user ? (await deps.core.owners.organizationsOf(user.id)).map((m) => m.org) : [];
}

/** The browser's visitor id, set as a cookie when it has none (or a malformed one). */
function visitorId(request: FastifyRequest, reply: FastifyReply, baseUrl: string): string {
  const current = request.cookies[visitorCookie];
  if (current && /^[A-Za-z0-9_-]{22}$/.test(current)) return current;
  const fresh = randomBytes(16).toString('base64url');
  reply.setCookie(visitorCookie, fresh, cookieOptions(request, baseUrl));
  return fresh;
}

/** A visitor for pages rendered when resolving the real one failed (a bad token): anonymous, with no form token. */
export function strangerVisitor(baseUrl: string): Visitor {
  return { principal: anonymous, user: null, organizations: [], session: null, csrfBinding: '', csrfToken: '', baseUrl };
}
