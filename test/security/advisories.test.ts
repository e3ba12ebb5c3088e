import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { refusals, securitySuite, type SecuredRoute } from './security-suite.js';

const bearer = /^Bearer realm="kura"/;

securitySuite('security advisories API', async (k, actors) => {
  await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
  const tarball = await buildTarball({ name: '@alice/app', version: '1.0.0' });
  const published = await k.inject({
    method: 'PUT', url: `/npm/${npmUrlName('@alice/app')}`, token: actors.aliceAll,
    payload: publishBody('@alice/app', '1.0.0', tarball, { manifest: { repository: 'alice/secret', dependencies: { '@alice/hidden': '^1.0.0' } } }),
  });
  if (published.statusCode !== 201) throw new Error(`setup failed: ${published.statusCode} ${published.body}`);
  const body = {
    summary: 'A flaw', description: 'Details', severity: 'low', state: 'published',
    vulnerabilities: [{ package: { ecosystem: 'npm', name: '@alice/hidden' }, vulnerable_version_range: '<2.0.0', patched_versions: '2.0.0' }],
  };
  const created = await k.inject({ method: 'POST', url: '/api/v1/repos/alice/secret/security-advisories', token: actors.aliceAll, payload: body });
  if (created.statusCode !== 201) throw new Error(`setup failed: ${created.statusCode} ${created.body}`);
  const id = (created.json() as { ghsa_id: string }).ghsa_id;
  const base = '/api/v1/repos/alice/secret/security-advisories';
  const routes: SecuredRoute[] = [
    { name: 'list advisories', method: 'GET', url: base, needs: 'read', challenge: bearer },
    { name: 'read an advisory', method: 'GET', url: `${base}/${id}`, needs: 'read', challenge: bearer },
    { name: 'read an advisory by id', method: 'GET', url: `/api/v1/advisories/${id}`, needs: 'read', challenge: bearer },
    { name: 'draft an advisory', method: 'POST', url: base, payload: { ...body, state: 'draft' }, needs: 'write', challenge: bearer },
    { name: 'change an advisory', method: 'PATCH', url: `${base}/${id}`, payload: { summary: 'A worse flaw' }, needs: 'write', challenge: bearer },
    { name: 'review an advisory (site admins)', method: 'POST', url: `/api/v1/advisories/${id}/review`, needs: 'write', challenge: bearer },
    { name: 'list alerts', method: 'GET', url: '/api/v1/repos/alice/secret/dependabot/alerts', needs: 'read', challenge: bearer },
    { name: 'read an alert', method: 'GET', url: '/api/v1/repos/alice/secret/dependabot/alerts/1', needs: 'read', challenge: bearer },
    { name: 'dismiss an alert', method: 'PATCH', url: '/api/v1/repos/alice/secret/dependabot/alerts/1', payload: { state: 'dismissed', dismissed_reason: 'not_used' }, needs: 'write', challenge: bearer },
  ];
  const alert = await k.inject({ method: 'GET', url: '/api/v1/repos/alice/secret/dependabot/alerts/1', token: actors.aliceAll });
  if (alert.statusCode !== 200) throw new Error(`setup failed: no alert (${alert.statusCode} ${alert.body})`);
  return { routes, refusal: refusals.api };
});
