import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import type { Owner } from '../../../core/owners/owner.js';
import type { ApiContext } from './api-context.js';
import { access, operation } from './operations.js';
import { presentOwner } from './presenters.js';
import { NoContent, PathParams, Ref, StringEnum } from './schemas.js';

/** An owner with its settings: who it is, and the visibility its new unlinked packages start with. */
const presentOwnerSettings = (owner: Owner) => ({ ...presentOwner(owner), default_package_visibility: owner.publicPackagesByDefault ? 'public' : 'private' });

const settingsBody = Type.Object({
  default_package_visibility: StringEnum(['public', 'private'] as const, { description: 'the visibility new unlinked packages start with' }),
});
const newUser = Type.Object({
  login: Type.String({ minLength: 1 }),
  email: Type.Optional(Type.String()),
  password: Type.Optional(Type.String({ description: 'without one the user signs in with tokens only' })),
});
const userParams = PathParams({ user: 'a user’s login' });
const orgParams = PathParams({ org: 'an organization’s login' });

/**
 * Users and organizations: their profiles and settings (`GET`/`PATCH /user`, `/orgs/ORG`), and
 * what site admins do to users (GitHub Enterprise's paths): `POST /admin/users` creates one,
 * `PUT`/`DELETE /users/USER/suspended` suspends and reinstates.
 */
export function registerOwnerRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core } = ac.deps;
  const login = (request: FastifyRequest, key: 'user' | 'org') => (request.params as Record<string, string>)[key]!;
  const visibilityOf = (request: FastifyRequest) => (request.body as Static<typeof settingsBody>).default_package_visibility === 'public';

  api.patch('/user', operation({
    operationId: 'users/update-authenticated',
    summary: 'Change the caller’s settings',
    description: 'A password, or a token with the `admin` scope that is not restricted to one repository.',
    tags: ['users'],
    security: access.administrator(),
    body: settingsBody,
    response: { 200: Ref('OwnerSettings') },
  }), async (request) => {
    const principal = await ac.user(request);
    return presentOwnerSettings(await core.owners.setPublicPackagesByDefault(principal.user.login, visibilityOf(request), principal));
  });

  api.get('/users/:user', operation({
    operationId: 'users/get-by-username',
    summary: 'A user',
    tags: ['users'],
    security: access.anyone(),
    params: userParams,
    response: { 200: Ref('Owner') },
  }), async (request) => {
    const user = await core.owners.find(login(request, 'user'));
    if (!user || user.kind !== 'user') throw new KuraError('NOT_FOUND', `no user named "${login(request, 'user')}"`);
    return presentOwner(user);
  });

  api.get('/orgs/:org', operation({
    operationId: 'orgs/get',
    summary: 'An organization',
    tags: ['orgs'],
    security: access.anyone(),
    params: orgParams,
    response: { 200: Ref('OwnerSettings') },
  }), async (request) => {
    const org = await core.owners.find(login(request, 'org'));
    if (!org || org.kind !== 'org') throw new KuraError('NOT_FOUND', `no organization named "${login(request, 'org')}"`);
    return presentOwnerSettings(org);
  });

  api.patch('/orgs/:org', operation({
    operationId: 'orgs/update',
    summary: 'Change an organization’s settings',
    description: 'Its owners.',
    tags: ['orgs'],
    security: access.administrator(),
    params: orgParams,
    body: settingsBody,
    response: { 200: Ref('OwnerSettings') },
  }), async (request) => {
    const principal = await ac.principal(request);
    const org = await core.owners.find(login(request, 'org'));
    if (!org || org.kind !== 'org') throw new KuraError('NOT_FOUND', `no organization named "${login(request, 'org')}"`);
    return presentOwnerSettings(await core.owners.setPublicPackagesByDefault(org.login, visibilityOf(request), principal));
  });

  api.post('/admin/users', operation({
    operationId: 'enterprise-admin/create-user',
    summary: 'Create a user',
    description: 'Site admins.',
    tags: ['users'],
    security: access.administrator(),
    body: newUser,
    response: { 201: Ref('Owner', { description: 'The new user.' }) },
    errors: [409],
  }), async (request, reply) => {
    const principal = await ac.principal(request);
    const body = request.body as Static<typeof newUser>;
    const user = await core.owners.createUserAs(principal, { login: body.login, email: body.email, password: body.password });
    return reply.status(201).send(presentOwner(user));
  });

  api.put('/users/:user/suspended', operation({
    operationId: 'enterprise-admin/suspend-user',
    summary: 'Suspend a user',
    description: 'Site admins. The user’s tokens, password and browser sessions stop at the next request; site admins cannot be suspended.',
    tags: ['users'],
    security: access.administrator(),
    params: userParams,
    response: { 204: NoContent('Suspended.') },
  }), async (request, reply) => {
    await core.owners.setSuspended(login(request, 'user'), true, await ac.principal(request));
    return reply.status(204).send();
  });

  api.delete('/users/:user/suspended', operation({
    operationId: 'enterprise-admin/unsuspend-user',
    summary: 'Reinstate a suspended user',
    description: 'Site admins.',
    tags: ['users'],
    security: access.administrator(),
    params: userParams,
    response: { 204: NoContent('Reinstated.') },
  }), async (request, reply) => {
    await core.owners.setSuspended(login(request, 'user'), false, await ac.principal(request));
    return reply.status(204).send();
  });
}
