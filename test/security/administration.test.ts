import { refusals, securitySuite, type SecuredRoute } from './security-suite.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

const bearer = /^Bearer realm="kura"/;

/**
 * What repository, organization and package admins manage, on alice's private repository,
 * her organization (whose member list is private to its members) and her private packages.
 * Changes need `write` here: the read-only token is refused them.
 */
securitySuite('administration through the REST API', async (k, actors) => {
  await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
  await k.core.owners.createUser({ login: 'carol' });
  await k.core.repos.setCollaborator('alice/secret', 'carol', 'read');
  await k.core.owners.createOrg('acme', 'alice');
  for (const [name, manifest] of [['@alice/linked', { repository: 'alice/secret' }], ['@alice/loose', {}]] as const) {
    const tarball = await buildTarball({ name, version: '1.0.0', manifest });
    const published = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token: actors.aliceAll, payload: publishBody(name, '1.0.0', tarball, { manifest }) });
    if (published.statusCode !== 201) throw new Error(`setup publish failed: ${published.body}`);
  }
  const repo = '/api/v1/repos/alice/secret';
  const linked = `/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/linked')}`;
  const loose = `/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/loose')}`;

  const routes: SecuredRoute[] = [
    { name: 'repository', method: 'GET', url: repo, needs: 'read', challenge: bearer },
    { name: 'change repository', method: 'PATCH', url: repo, payload: { private: false }, needs: 'write', challenge: bearer },
    { name: 'collaborators', method: 'GET', url: `${repo}/collaborators`, needs: 'read', challenge: bearer },
    { name: 'check collaborator', method: 'GET', url: `${repo}/collaborators/carol`, needs: 'read', challenge: bearer },
    { name: 'collaborator permission', method: 'GET', url: `${repo}/collaborators/carol/permission`, needs: 'read', challenge: bearer },
    { name: 'set collaborator', method: 'PUT', url: `${repo}/collaborators/carol`, payload: { permission: 'admin' }, needs: 'write', challenge: bearer },
    { name: 'remove collaborator', method: 'DELETE', url: `${repo}/collaborators/carol`, needs: 'write', challenge: bearer },
    { name: 'organization members', method: 'GET', url: '/api/v1/orgs/acme/members', needs: 'read', challenge: bearer },
    { name: 'organization membership', method: 'GET', url: '/api/v1/orgs/acme/memberships/alice', needs: 'read', challenge: bearer },
    { name: 'set organization membership', method: 'PUT', url: '/api/v1/orgs/acme/memberships/carol', payload: { role: 'admin' }, needs: 'write', challenge: bearer },
    { name: 'remove organization member', method: 'DELETE', url: '/api/v1/orgs/acme/memberships/alice', needs: 'write', challenge: bearer },
    { name: 'organization settings', method: 'PATCH', url: '/api/v1/orgs/acme', payload: { default_package_visibility: 'public' }, needs: 'write', challenge: bearer },
    { name: 'link package', method: 'PUT', url: `${loose}/repository`, payload: { repository: 'alice/secret' }, needs: 'write', challenge: bearer },
    { name: 'unlink package', method: 'DELETE', url: `${linked}/repository`, needs: 'write', challenge: bearer },
    { name: 'package roles', method: 'GET', url: `${loose}/members`, needs: 'read', challenge: bearer },
    { name: 'set package role', method: 'PUT', url: `${loose}/members/carol`, payload: { role: 'admin' }, needs: 'write', challenge: bearer },
    { name: 'remove package role', method: 'DELETE', url: `${loose}/members/alice`, needs: 'write', challenge: bearer },
  ];
  return { routes, refusal: refusals.api };
});
