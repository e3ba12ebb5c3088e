import { refusals, securitySuite, type SecuredRoute } from './security-suite.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

const bearer = /^Bearer realm="kura"/;

/**
 * The packages API's paths under the caller's own `/user`, its downloads, and an organization's
 * audit log, on alice's private packages and her organization (bob is no member).
 */
securitySuite('packages API: /user paths, downloads and the audit log', async (k, actors) => {
  await k.core.owners.createOrg('acme', 'alice');
  for (const name of ['@alice/hidden', '@acme/hidden']) {
    const tarball = await buildTarball({ name, version: '1.0.0' });
    const published = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token: actors.aliceAll, payload: publishBody(name, '1.0.0', tarball) });
    if (published.statusCode !== 201) throw new Error(`setup publish failed: ${published.body}`);
  }
  const pkg = (await k.core.packages.queries.find('npm', 'alice', '@alice/hidden'))!;
  const version = (await k.core.packages.queries.versions(pkg.id))[0]!;
  const own = `/api/v1/user/packages/npm/${encodeURIComponent('@alice/hidden')}`;
  const user = `/api/v1/users/alice/packages/npm/${encodeURIComponent('@alice/hidden')}`;
  const org = `/api/v1/orgs/acme/packages/npm/${encodeURIComponent('@acme/hidden')}`;

  const routes: SecuredRoute[] = [
    { name: 'own package', method: 'GET', url: own, needs: 'read', challenge: bearer },
    { name: 'own versions', method: 'GET', url: `${own}/versions?per_page=1&page=1`, needs: 'read', challenge: bearer },
    { name: 'own version', method: 'GET', url: `${own}/versions/${version.id}`, needs: 'read', challenge: bearer },
    { name: 'own package downloads', method: 'GET', url: `${own}/downloads`, needs: 'read', challenge: bearer },
    { name: 'own version downloads', method: 'GET', url: `${own}/versions/${version.id}/downloads?from=2024-01-01&to=2024-01-31`, needs: 'read', challenge: bearer },
    { name: 'user package downloads', method: 'GET', url: `${user}/downloads`, needs: 'read', challenge: bearer },
    { name: 'user version downloads', method: 'GET', url: `${user}/versions/${version.id}/downloads`, needs: 'read', challenge: bearer },
    { name: 'organization package downloads', method: 'GET', url: `${org}/downloads`, needs: 'read', challenge: bearer },
    { name: 'organization package versions, paged', method: 'GET', url: `${org}/versions?per_page=5`, needs: 'read', challenge: bearer },
    { name: 'change own package visibility', method: 'PATCH', url: own, payload: { visibility: 'public' }, needs: 'delete', challenge: bearer },
    { name: 'delete own package', method: 'DELETE', url: own, needs: 'delete', challenge: bearer },
    { name: 'restore own package', method: 'POST', url: `${own}/restore`, needs: 'delete', challenge: bearer },
    { name: 'delete own version', method: 'DELETE', url: `${own}/versions/${version.id}`, needs: 'delete', challenge: bearer },
    { name: 'restore own version', method: 'POST', url: `${own}/versions/${version.id}/restore`, needs: 'delete', challenge: bearer },
    { name: 'organization audit log', method: 'GET', url: '/api/v1/orgs/acme/audit-log', needs: 'administer', challenge: bearer },
    { name: 'organization audit log, filtered', method: 'GET', url: `/api/v1/orgs/acme/audit-log?action=version.&package=npm/hidden&from=2020-01-01`, needs: 'administer', challenge: bearer },
  ];
  return { routes, refusal: refusals.api };
});
