import { securitySuite, type SecuredRoute } from './security-suite.js';

const bearer = /^Bearer realm="kura"/;

securitySuite('security advisories API', async (k, actors) => {
  await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
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
  ];
  return { routes };
});
