import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import type { Owner } from '../../../core/owners/owner.js';
import type { ApiContext } from './api-context.js';
import { presentOwner } from './presenters.js';

/** An owner with its settings: who it is, and the visibility its new unlinked packages start with. */
const presentOwnerSettings = (owner: Owner) => ({ ...presentOwner(owner), default_package_visibility: owner.publicPackagesByDefault ? 'public' : 'private' });

/** `default_package_visibility` from a PATCH body. @throws KuraError BAD_REQUEST */
function defaultVisibility(body: Record<string, unknown>): boolean {
  const value = body['default_package_visibility'];
  if (value !== 'public' && value !== 'private') throw new KuraError('BAD_REQUEST', '"default_package_visibility" must be "public" or "private"');
  return value === 'public';
}

/**
 * Users and organizations: their profiles and settings (`GET`/`PATCH /user`, `/orgs/ORG`), and
 * what site admins do to users (GitHub Enterprise's paths): `POST /admin/users` creates one,
 * `PUT`/`DELETE /users/USER/suspended` suspends and reinstates.
 */
export function registerOwnerRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core } = ac.deps;
  const login = (request: FastifyRequest, key: 'user' | 'org') => (request.params as Record<string, string>)[key]!;

  api.patch('/user', async (request) => {
    const principal = await ac.user(request);
    return presentOwnerSettings(await core.owners.setPublicPackagesByDefault(principal.user.login, defaultVisibility(ac.objectBody(request)), principal));
  });

  api.get('/users/:user', async (request) => {
    const user = await core.owners.find(login(request, 'user'));
    if (!user || user.kind !== 'user') throw new KuraError('NOT_FOUND', `no user named "${login(request, 'user')}"`);
    return presentOwner(user);
  });

  api.get('/orgs/:org', async (request) => {
    const org = await core.owners.find(login(request, 'org'));
    if (!org || org.kind !== 'org') throw new KuraError('NOT_FOUND', `no organization named "${login(request, 'org')}"`);
    return presentOwnerSettings(org);
  });

  api.patch('/orgs/:org', async (request) => {
    const principal = await ac.principal(request);
    const org = await core.owners.find(login(request, 'org'));
    if (!org || org.kind !== 'org') throw new KuraError('NOT_FOUND', `no organization named "${login(request, 'org')}"`);
    return presentOwnerSettings(await core.owners.setPublicPackagesByDefault(org.login, defaultVisibility(ac.objectBody(request)), principal));
  });

  api.post('/admin/users', async (request, reply) => {
    const principal = await ac.principal(request);
    const body = ac.objectBody(request);
    const text = (key: string) => (typeof body[key] === 'string' ? body[key] : undefined);
    if (!text('login')) throw new KuraError('BAD_REQUEST', '"login" is required');
    const user = await core.owners.createUserAs(principal, { login: text('login')!, email: text('email'), password: text('password') });
    return reply.status(201).send(presentOwner(user));
  });

  api.put('/users/:user/suspended', async (request, reply) => {
    await core.owners.setSuspended(login(request, 'user'), true, await ac.principal(request));
    return reply.status(204).send();
  });

  api.delete('/users/:user/suspended', async (request, reply) => {
    await core.owners.setSuspended(login(request, 'user'), false, await ac.principal(request));
    return reply.status(204).send();
  });
}
