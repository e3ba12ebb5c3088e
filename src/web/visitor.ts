import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { passwordPrincipal, type Principal } from '../core/access/principal.js';
import type { Core } from '../core/core.js';
import type { Owner } from '../core/owners/owner.js';
import type { SessionIdentity } from '../core/sessions/session-service.js';
import type {} from '@fastify/cookie';

export const sessionCookie = 'kura_session';
/** A random id of the browser's own, binding the forms of visitors not signed in (the sign-in form). */
export const visitorCookie = 'kura_visitor';

/** Who is looking at a page, and the CSRF token their forms carry. */
export interface Visitor {
  principal: Principal;
  /** The signed-in user, through a session or an `Authorization` header. */
  user: Owner | null;
  session: SessionIdentity | null;
  csrfToken: string;
  /** What the visitor's form tokens are bound to. */
  csrfBinding: string;
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

/**
 * Resolves the visitor of a page: a live browser session first, else the request's
 * `Authorization` header (scripts and tests read pages with tokens), else anonymous. A session
 * cookie that no longer names a live session is cleared. Visitors without a session get a
 * visitor cookie so the sign-in form can carry a token too.
 */
export async function resolveVisitor(
  core: Core,
  authenticate: (request: FastifyRequest) => Promise<Principal>,
  request: FastifyRequest,
  reply: FastifyReply,
  baseUrl: string,
): Promise<Visitor> {
  const cookie = request.cookies[sessionCookie];
  const session = cookie ? await core.sessions.resume(cookie) : null;
  if (cookie && !session) reply.clearCookie(sessionCookie, { path: '/' });
  if (session) {
    return { principal: passwordPrincipal(session.user), user: session.user, session, csrfBinding: session.csrfBinding, csrfToken: await core.csrf.issue(session.csrfBinding) };
  }
  const principal = await authenticate(request);
  let visitorId = request.cookies[visitorCookie];
  if (!visitorId || !/^[A-Za-z0-9_-]{22}$/.test(visitorId)) {
    visitorId = randomBytes(16).toString('base64url');
    reply.setCookie(visitorCookie, visitorId, cookieOptions(request, baseUrl));
  }
  const csrfBinding = `visitor:${visitorId}`;
  return { principal, user: principal.kind === 'user' ? principal.user : null, session: null, csrfBinding, csrfToken: await core.csrf.issue(csrfBinding) };
}
