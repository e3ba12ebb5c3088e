import { refusals, securitySuite, type SecuredRoute, type SuiteRoute } from './security-suite.js';
import { buildTarball, publishBody } from '../support/npm-fixtures.js';

const bearer = /^Bearer realm="kura"/;

securitySuite('npm registry and REST API', async (k, actors) => {
  await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
  const name = '@alice/hidden';
  const tarball = await buildTarball({ name, version: '1.0.0', manifest: { repository: 'git+https://example.test/alice/secret.git' } });
  const published = await k.inject({
    method: 'PUT', url: '/npm/@alice%2fhidden', token: actors.aliceAll,
    payload: publishBody(name, '1.0.0', tarball, { manifest: { repository: 'git+https://example.test/alice/secret.git' } }),
  });
  if (published.statusCode !== 201) throw new Error(`setup publish failed: ${published.body}`);
  const pkg = (await k.core.packages.queries.find('npm', 'alice', name))!;
  const version = (await k.core.packages.queries.versions(pkg.id))[0]!;
  const next = await buildTarball({ name, version: '1.0.1' });
  const api = `/api/v1/users/alice/packages/npm/${encodeURIComponent(name)}`;

  const routes: SecuredRoute[] = [
    { name: 'npm packument', method: 'GET', url: '/npm/@alice%2fhidden', needs: 'read', challenge: bearer },
    { name: 'npm packument (abbreviated, %2F)', method: 'GET', url: '/npm/@alice%2Fhidden', headers: { accept: 'application/vnd.npm.install-v1+json' }, needs: 'read', challenge: bearer },
    { name: 'npm version document', method: 'GET', url: '/npm/@alice%2fhidden/1.0.0', needs: 'read', challenge: bearer },
    { name: 'npm tarball', method: 'GET', url: '/npm/@alice/hidden/-/hidden-1.0.0.tgz', needs: 'read', challenge: bearer },
    { name: 'npm tarball HEAD', method: 'HEAD', url: '/npm/@alice/hidden/-/hidden-1.0.0.tgz', needs: 'read', challenge: bearer },
    { name: 'npm dist-tag ls', method: 'GET', url: '/npm/-/package/@alice%2fhidden/dist-tags', needs: 'read', challenge: bearer },
    { name: 'npm publish', method: 'PUT', url: '/npm/@alice%2fhidden', payload: publishBody(name, '1.0.1', next), needs: 'write', challenge: bearer },
    { name: 'npm dist-tag add', method: 'PUT', url: '/npm/-/package/@alice%2fhidden/dist-tags/beta', payload: '"1.0.0"', headers: { 'content-type': 'application/json' }, needs: 'write', challenge: bearer },
    { name: 'npm dist-tag rm', method: 'DELETE', url: '/npm/-/package/@alice%2fhidden/dist-tags/beta', needs: 'write', challenge: bearer },
    { name: 'npm deprecate (document update)', method: 'PUT', url: '/npm/@alice%2fhidden/-rev/2-x', payload: { name, versions: { '1.0.0': { name, version: '1.0.0', deprecated: 'old' } } }, needs: 'write', challenge: bearer },
    { name: 'npm unpublish package', method: 'DELETE', url: '/npm/@alice%2fhidden/-rev/2-x', needs: 'delete', challenge: bearer },
    { name: 'npm unpublish tarball', method: 'DELETE', url: '/npm/@alice/hidden/-/hidden-1.0.0.tgz/-rev/2-x', needs: 'delete', challenge: bearer },
    { name: 'api package', method: 'GET', url: api, needs: 'read', challenge: bearer },
    { name: 'api versions', method: 'GET', url: `${api}/versions`, needs: 'read', challenge: bearer },
    { name: 'api version', method: 'GET', url: `${api}/versions/${version.id}`, needs: 'read', challenge: bearer },
    { name: 'api repository packages', method: 'GET', url: '/api/v1/repos/alice/secret/packages', needs: 'read', challenge: bearer },
    { name: 'api change visibility', method: 'PATCH', url: api, payload: { visibility: 'public' }, needs: 'delete', challenge: bearer },
    { name: 'api delete package', method: 'DELETE', url: api, needs: 'delete', challenge: bearer },
    { name: 'api restore package', method: 'POST', url: `${api}/restore`, needs: 'delete', challenge: bearer },
    { name: 'api delete version', method: 'DELETE', url: `${api}/versions/${version.id}`, needs: 'delete', challenge: bearer },
    { name: 'api restore version', method: 'POST', url: `${api}/versions/${version.id}/restore`, needs: 'delete', challenge: bearer },
  ];
  const writes: SuiteRoute[] = [
    { name: 'npm login', method: 'PUT', url: '/npm/-/user/org.couchdb.user:alice', payload: { name: 'alice', password: 'secret' } },
    { name: 'npm logout', method: 'DELETE', url: `/npm/-/user/token/${actors.aliceAll}` },
    { name: 'npm web login', method: 'POST', url: '/npm/-/v1/login', payload: {} },
    { name: 'npm audit (bulk)', method: 'POST', url: '/npm/-/npm/v1/security/advisories/bulk', payload: { [name]: ['1.0.0'] } },
    { name: 'npm audit (quick)', method: 'POST', url: '/npm/-/npm/v1/security/audits/quick', payload: { dependencies: { [name]: { version: '1.0.0' } } } },
    { name: 'api create token', method: 'POST', url: '/api/v1/user/tokens', payload: { scopes: ['write:packages'] } },
    { name: 'api revoke token', method: 'DELETE', url: '/api/v1/user/tokens/1' },
    { name: 'api change package settings', method: 'PATCH', url: `${api}/settings`, payload: {} },
  ];
  const refusal = (res: Parameters<typeof refusals.api>[0], route: SuiteRoute) => (route.url.startsWith('/api/') ? refusals.api(res) : refusals.npm(res));
  return { routes, writes, refusal };
});
