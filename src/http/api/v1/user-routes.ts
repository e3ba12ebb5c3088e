import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseExpiresIn } from '../../../core/tokens/token-service.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { pathId, type ApiContext } from './api-context.js';
import { access, operation } from './operations.js';
import { presentOwner, presentToken } from './presenters.js';
import { ListOf, NoContent, PathParams, Ref } from './schemas.js';

const scopeList = 'read:packages, write:packages, delete:packages or admin';
const newToken = Type.Object({
  name: Type.Optional(Type.String({ description: 'what the token is for' })),
  scopes: Type.Union([Type.Array(Type.String()), Type.String()], { description: `${scopeList}: a list, or one string separated by commas` }),
  expires_in: Type.Optional(Type.String({ description: 'a lifetime such as `30d`, `12h` or `2w` (m, h, d or w); without it the token does not expire' })),
  repository: Type.Optional(Type.String({ description: 'OWNER/NAME: restricts the token to one repository the caller can read' })),
});

/** `/user` and the caller's personal access tokens. */
export function registerUserRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core } = ac.deps;

  api.get('/user', operation({
    operationId: 'users/get-authenticated',
    summary: 'The caller',
    tags: ['users'],
    security: access.signedIn(),
    response: { 200: Ref('Owner') },
  }), async (request) => presentOwner((await ac.user(request)).user));

  api.get('/user/tokens', operation({
    operationId: 'tokens/list-for-authenticated-user',
    summary: 'The caller’s tokens',
    tags: ['tokens'],
    security: access.signedIn(),
    response: { 200: ListOf('Token', 'Every token of the caller, revoked ones too.') },
  }), async (request) => {
    const principal = await ac.user(request);
    return (await core.tokens.list(principal.user.id)).map(presentToken);
  });

  api.post('/user/tokens', operation({
    operationId: 'tokens/create-for-authenticated-user',
    summary: 'Create a token',
    description: 'Needs a password or a token with the `admin` scope. The new token’s secret is in the answer, and only there.',
    tags: ['tokens'],
    security: access.administrator(),
    body: newToken,
    response: { 201: Ref('NewToken', { description: 'The token, with its secret `token`.' }) },
    errors: [409],
  }), async (request, reply) => {
    const principal = await ac.principal(request);
    const body = request.body as Static<typeof newToken>;
    const { token, record } = await core.tokenIssuer.issue(principal, {
      name: body.name,
      scopes: body.scopes,
      expiresAt: body.expires_in !== undefined ? parseExpiresIn(body.expires_in, core.deps.now()) : null,
      repository: body.repository ?? null,
    });
    return reply.status(201).send({ ...presentToken(record), token });
  });

  api.delete('/user/tokens/:id', operation({
    operationId: 'tokens/revoke-for-authenticated-user',
    summary: 'Revoke a token',
    tags: ['tokens'],
    security: access.signedIn(),
    params: PathParams({ id: 'the token’s id' }),
    response: { 204: NoContent('Revoked.') },
  }), async (request, reply) => {
    const principal = await ac.user(request);
    const { id } = request.params as { id: string };
    const tokenId = pathId(id);
    if (tokenId === null) throw new KuraError('NOT_FOUND', `no token with id ${id}`);
    await core.tokens.revoke(tokenId, principal.user.id, principal.user.id);
    return reply.status(204).send();
  });
}
