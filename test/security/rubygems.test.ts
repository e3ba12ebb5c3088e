import { basicAuth } from '../e2e/fixtures/maven/artifacts.js';
import { buildGem, pushGem } from '../support/gem-fixtures.js';
import { refusals, securitySuite, type SecuredRoute } from './security-suite.js';

const basic = /^Basic realm="kura"$/;

securitySuite('RubyGems repository', async (k, actors) => {
  await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
  const secret = { name: 'secretgem', homepage: 'https://kura.example/alice/secret' };
  for (const version of ['1.0.0', '1.1.0']) {
    const res = await pushGem(k, 'alice', actors.aliceAll, buildGem({ ...secret, version }));
    if (res.statusCode !== 200) throw new Error(`push failed: ${res.statusCode} ${res.body}`);
  }
  // gem and Bundler send Basic credentials for reads; gem push and yank send the token as the whole header.
  const read = (name: string, url: string, method: 'GET' | 'HEAD' = 'GET'): SecuredRoute =>
    ({ name, method, url, needs: 'read', challenge: basic, sendToken: (token) => basicAuth(token) });
  const bare = (token: string) => ({ authorization: token });
  const routes: SecuredRoute[] = [
    read('compact index info', '/rubygems/alice/info/secretgem'),
    read('compact index info HEAD', '/rubygems/alice/info/secretgem', 'HEAD'),
    read('gem download', '/rubygems/alice/gems/secretgem-1.0.0.gem'),
    read('gem download HEAD', '/rubygems/alice/gems/secretgem-1.0.0.gem', 'HEAD'),
    read('quick gemspec', '/rubygems/alice/quick/Marshal.4.8/secretgem-1.0.0.gemspec.rz'),
    read('dependency API', '/rubygems/alice/api/v1/dependencies?gems=secretgem'),
    read('dependency API HEAD', '/rubygems/alice/api/v1/dependencies?gems=secretgem', 'HEAD'),
    {
      name: 'gem push of a new version', method: 'POST', url: '/rubygems/alice/api/v1/gems', needs: 'write', challenge: basic, sendToken: bare,
      headers: { 'content-type': 'application/octet-stream' }, payload: buildGem({ ...secret, version: '2.0.0' }),
    },
    {
      name: 'gem yank', method: 'DELETE', url: '/rubygems/alice/api/v1/gems/yank', needs: 'delete', challenge: basic, sendToken: bare,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'gem_name=secretgem&version=1.1.0', accepts: ['application/x-www-form-urlencoded'],
    },
  ];
  return { routes, refusal: refusals.plainText };
});
