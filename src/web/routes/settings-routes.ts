import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isKuraError, KuraError } from '../../core/errors/catalogue.js';
import { field, fields, onForm, type FormFields } from '../forms.js';
import { signInPath } from '../paths.js';
import { sessionsPage } from '../pages/sessions-page.js';
import { expiryChoices, tokensPage, type CreatedToken, type TokenDraft } from '../pages/tokens-page.js';
import { visitorOf, type Visitor } from '../visitor.js';
import type { WebDeps } from '../web-deps.js';

const sendPage = (reply: FastifyReply, status: number, page: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);

/** The visitor of a settings page, or null after redirecting one without a browser session to sign in. */
async function signedIn(deps: WebDeps, request: FastifyRequest, reply: FastifyReply): Promise<Visitor | null> {
  const visitor = await visitorOf(deps, request, reply);
  if (visitor.session) return visitor;
  await reply.redirect(signInPath(request.url), 303);
  return null;
}

function readDraft(form: FormFields): TokenDraft {
  return { name: field(form, 'name'), scopes: fields(form, 'scopes'), expires: field(form, 'expires'), repository: field(form, 'repository') };
}

/** @throws KuraError BAD_REQUEST for a choice the form does not offer */
function expiryOf(choice: string, now: Date): Date | null {
  if (!(expiryChoices as readonly string[]).includes(choice)) throw new KuraError('BAD_REQUEST', `Expires must be one of ${expiryChoices.join(', ')}`);
  return choice === 'never' ? null : new Date(now.getTime() + Number(choice) * 86_400_000);
}

const parseId = (text: string) => (/^\d{1,15}$/.test(text) ? Number(text) : null);

/** A user's settings: personal access tokens (create, list, revoke) and browser sessions (list, end). */
export function registerSettingsRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/settings', async (_request, reply) => reply.redirect('/settings/tokens', 303));

  app.get('/settings/tokens', async (request, reply) => {
    const visitor = await signedIn(deps, request, reply);
    if (!visitor) return reply;
    const revoked = (request.query as { revoked?: unknown }).revoked;
    return sendPage(reply, 200, await tokensPage(deps, visitor, { notice: typeof revoked === 'string' ? `Token “${revoked.slice(0, 100)}” revoked.` : undefined }));
  });

  onForm(app, deps, '/settings/tokens', {}, async ({ reply, visitor, form }) => {
    const draft = readDraft(form);
    try {
      if (!draft.name) throw new KuraError('BAD_REQUEST', 'Give the token a name, so you can tell it apart later.');
      if (draft.scopes.length === 0) throw new KuraError('BAD_REQUEST', 'Choose at least one scope.');
      const issued = await deps.core.tokenIssuer.issue(visitor.principal, {
        name: draft.name, scopes: draft.scopes, expiresAt: expiryOf(draft.expires, deps.core.deps.now()), repository: draft.repository || null,
      });
      const created: CreatedToken = {
        ...issued,
        setups: deps.formats.all.filter((f) => deps.formats.isVisible(f.id))
          .map((f) => ({ format: f.displayName, setup: f.clientSetup({ baseUrl: visitor.baseUrl, owner: visitor.user!.login, token: issued.token }) })),
      };
      return sendPage(reply, 201, await tokensPage(deps, visitor, { created }));
    } catch (error) {
      if (!isKuraError(error) || error.status >= 500) throw error;
      const message = error.code === 'NOT_FOUND' ? `No repository ${draft.repository} that you can read.` : error.message;
      return sendPage(reply, error.status === 404 ? 400 : error.status, await tokensPage(deps, visitor, { draft, error: message }));
    }
  });

  onForm(app, deps, '/settings/tokens/:id/revoke', {}, async ({ request, reply, visitor }) => {
    const id = parseId((request.params as { id: string }).id);
    const user = visitor.user!;
    const token = id === null ? undefined : (await deps.core.tokens.list(user.id)).find((t) => t.id === id);
    if (!token) throw new KuraError('NOT_FOUND', 'no such token');
    await deps.core.tokens.revoke(token.id, user.id, user.id);
    return reply.redirect(`/settings/tokens?revoked=${encodeURIComponent(token.name)}`, 303);
  });

  app.get('/settings/sessions', async (request, reply) => {
    const visitor = await signedIn(deps, request, reply);
    if (!visitor) return reply;
    const ended = (request.query as { ended?: unknown }).ended !== undefined;
    return sendPage(reply, 200, await sessionsPage(deps, visitor, ended ? 'The session has ended.' : undefined));
  });

  onForm(app, deps, '/settings/sessions/:id/revoke', {}, async ({ request, reply, visitor }) => {
    const id = parseId((request.params as { id: string }).id);
    if (id === null) throw new KuraError('NOT_FOUND', 'no such session');
    await deps.core.sessions.revoke(visitor.user!.id, id);
    return reply.redirect(id === visitor.session?.session.id ? '/' : '/settings/sessions?ended=1', 303);
  });
}
