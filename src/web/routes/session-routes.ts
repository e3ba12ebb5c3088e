import type { FastifyInstance, FastifyReply } from 'fastify';
import { isKuraError } from '../../core/errors/catalogue.js';
import { field, onForm } from '../forms.js';
import { loginPage, safeNext } from '../pages/login-page.js';
import { cookieOptions, sessionCookie, visitorOf } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';

const sendPage = (reply: FastifyReply, status: number, page: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);

/** Signing in (`/login`, a form that starts a browser session) and out (`/logout`). */
export function registerSessionRoutes(app: FastifyInstance, deps: WebDeps, sessionMaxDays: number): void {
  app.get('/login', async (request, reply) => {
    const visitor = await visitorOf(deps, request, reply);
    const next = safeNext((request.query as { next?: unknown }).next);
    if (visitor.session) return reply.redirect(next, 303);
    return sendPage(reply, 200, loginPage(visitor, { next }));
  });

  onForm(app, deps, '/login', { anonymous: true }, async ({ request, reply, visitor, form }) => {
    const next = safeNext(field(form, 'next'));
    const login = field(form, 'login');
    try {
      const { cookie } = await deps.core.sessions.signIn(login, typeof form['password'] === 'string' ? form['password'] : '', {
        address: request.ip,
        userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
      });
      reply.setCookie(sessionCookie, cookie, cookieOptions(request, visitor.baseUrl, sessionMaxDays * 86_400));
      return reply.redirect(next, 303);
    } catch (error) {
      if (!isKuraError(error) || (error.code !== 'UNAUTHENTICATED' && error.code !== 'TOO_MANY_REQUESTS')) throw error;
      const retryAfter = error.detail?.['retryAfterSeconds'];
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return sendPage(reply, error.status, loginPage(visitor, { next, login, error: error.message }));
    }
  });

  onForm(app, deps, '/logout', {}, async ({ request, reply }) => {
    const cookie = request.cookies[sessionCookie];
    if (cookie) await deps.core.sessions.end(cookie);
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.redirect('/', 303);
  });
}
