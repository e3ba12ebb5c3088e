import type { FastifyInstance } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { accepting, jsonBody, noBody } from '../../../delivery/accepted-bodies.js';
import { bodyOf, readSmallJson, type NpmRoutesContext } from './npm-routes-context.js';

/** `npm ping`, `npm whoami`, `npm login` (legacy) and logout. */
export function registerAccountRoutes(app: FastifyInstance, { ctx }: NpmRoutesContext): void {
  app.get('/-/ping', async () => ({}));

  app.get('/-/whoami', async (request) => {
    const principal = await ctx.authenticate(request);
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', 'not logged in: run npm login or set an _authToken');
    return { username: principal.user.login };
  });

  app.put('/-/user/:id', accepting(jsonBody), async (request, reply) => {
    const { id } = request.params as { id: string };
    const login = decodeURIComponent(id).replace(/^org\.couchdb\.user:/, '');
    const doc = (await readSmallJson(bodyOf(request))) as { name?: unknown; password?: unknown };
    if (typeof doc?.password !== 'string' || typeof doc.name !== 'string') {
      throw new KuraError('BAD_REQUEST', 'a login needs "name" and "password"; accounts are created by an admin with `kura user create`');
    }
    if (doc.name.toLowerCase() !== login.toLowerCase()) throw new KuraError('NAME_MISMATCH', 'the user name in the body differs from the URL');
    const user = await ctx.owners.checkPassword(login, doc.password);
    if (!user) throw new KuraError('UNAUTHENTICATED', 'incorrect username or password (accounts are created by an admin with `kura user create`)');
    const { token } = await ctx.tokens.create({ userId: user.id, name: 'npm login', scopes: ['read:packages', 'write:packages', 'delete:packages'] }, user.id);
    return reply.status(201).send({ ok: `you are authenticated as '${user.login}'`, id: `org.couchdb.user:${user.login}`, token });
  });

  app.delete('/-/user/token/*', accepting(noBody), async (request) => {
    const principal = await ctx.authenticate(request);
    if (principal.kind !== 'user' || principal.tokenId === null) throw new KuraError('UNAUTHENTICATED', 'not logged in');
    await ctx.tokens.revoke(principal.tokenId, principal.user.id, principal.user.id);
    return { ok: 'logged out' };
  });

  app.post('/-/v1/login', accepting(jsonBody), async () => {
    throw new KuraError('NOT_FOUND', 'web login is not supported: use npm login --auth-type=legacy, or a token from `kura token create`');
  });
}
