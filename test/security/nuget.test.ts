import { basicAuth } from '../e2e/fixtures/maven/artifacts.js';
import { buildNupkg, multipart, pushNupkg } from '../support/nuget-fixtures.js';
import { refusals, securitySuite, type SecuredRoute } from './security-suite.js';

const basic = /^Basic realm="kura"$/;

securitySuite('NuGet feed', async (k, actors) => {
  await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
  const secret = { id: 'Acme.Secret', repositoryUrl: 'https://kura.example/alice/secret', readme: '# Secret' };
  for (const version of ['1.0.0', '1.1.0']) {
    const res = await pushNupkg(k, 'alice', actors.aliceAll, await buildNupkg({ ...secret, version }));
    if (res.statusCode !== 201) throw new Error(`push failed: ${res.statusCode} ${res.body}`);
  }
  await k.inject({ method: 'DELETE', url: '/nuget/alice/api/v2/package/Acme.Secret/1.1.0', token: actors.aliceAll });
  // NuGet reads with Basic after a 401; push, delete and relist carry the token in X-NuGet-ApiKey.
  const read = (name: string, url: string, method: 'GET' | 'HEAD' = 'GET'): SecuredRoute =>
    ({ name, method, url, needs: 'read', challenge: basic, sendToken: (token) => basicAuth(token) });
  const apiKey = (token: string) => ({ 'x-nuget-apikey': token });
  const v3 = '/nuget/alice/v3';
  const next = multipart(await buildNupkg({ ...secret, version: '2.0.0' }));
  const symbols = multipart(await buildNupkg({ ...secret, version: '1.0.0', packageType: 'SymbolsPackage' }));
  const routes: SecuredRoute[] = [
    read('flat container versions', `${v3}/flatcontainer/acme.secret/index.json`),
    read('flat container nupkg', `${v3}/flatcontainer/acme.secret/1.0.0/acme.secret.1.0.0.nupkg`),
    read('flat container nupkg HEAD', `${v3}/flatcontainer/acme.secret/1.0.0/acme.secret.1.0.0.nupkg`, 'HEAD'),
    read('flat container nuspec', `${v3}/flatcontainer/acme.secret/1.0.0/acme.secret.nuspec`),
    read('registration index', `${v3}/registration/acme.secret/index.json`),
    read('registration leaf', `${v3}/registration/acme.secret/1.0.0.json`),
    read('registration page', `${v3}/registration/acme.secret/page/1.0.0/1.0.0.json`),
    read('readme', `${v3}/readme/acme.secret/1.0.0/readme`),
    { name: 'push a new version', method: 'PUT', url: '/nuget/alice/api/v2/package/', needs: 'write', challenge: basic, sendToken: apiKey, payload: next.payload, headers: { 'content-type': next.contentType }, accepts: ['multipart/form-data'] },
    { name: 'push symbols', method: 'PUT', url: '/nuget/alice/api/v2/symbolpackage/', needs: 'write', challenge: basic, sendToken: apiKey, payload: symbols.payload, headers: { 'content-type': symbols.contentType }, accepts: ['multipart/form-data'] },
    { name: 'delete (unlist)', method: 'DELETE', url: '/nuget/alice/api/v2/package/Acme.Secret/1.0.0', needs: 'delete', challenge: basic, sendToken: apiKey },
    { name: 'relist', method: 'POST', url: '/nuget/alice/api/v2/package/Acme.Secret/1.1.0', needs: 'delete', challenge: basic, sendToken: apiKey },
  ];
  // The same pushes without the trailing slash NuGet.exe adds.
  const writes = routes.filter((r) => r.method === 'PUT').map((r) => ({ ...r, name: `${r.name} (no trailing slash)`, url: r.url.replace(/\/$/, '') }));
  return { routes, writes, refusal: refusals.plainText };
});
