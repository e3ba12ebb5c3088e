import { basicAuth, digest, jarBytes, pomXml } from '../e2e/fixtures/maven/artifacts.js';
import { assertAll2xx, MavenInjectClient } from '../e2e/fixtures/maven/inject-client.js';
import { refusals, securitySuite, type SecuredRoute, type SuiteRoute } from './security-suite.js';

const basic = /^Basic realm="kura"$/;

securitySuite('Maven repository', async (k, actors) => {
  await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
  const mvn = new MavenInjectClient(k, '/maven/alice/secret', actors.aliceAll);
  const hello = { groupId: 'com.example', artifactId: 'hello', version: '1.0.0' };
  assertAll2xx(await mvn.deploy(hello));
  assertAll2xx(await mvn.deploy({ ...hello, version: '1.1.0-SNAPSHOT' }, { build: '20261124.034909-1' }));

  const repo = '/maven/alice/secret/com/example/hello';
  const release = `${repo}/1.0.0/hello-1.0.0`;
  const snapshot = `${repo}/1.1.0-SNAPSHOT`;
  const nextPom = pomXml({ ...hello, version: '2.0.0' });
  const jar = jarBytes('1.0.0-');
  const read = (name: string, url: string, method: 'GET' | 'HEAD' = 'GET'): SecuredRoute =>
    ({ name, method, url, needs: 'read', challenge: basic, sendToken: (token) => basicAuth(token) });
  const write = (name: string, url: string, payload: string | Buffer): SecuredRoute =>
    ({ name, method: 'PUT', url, payload, headers: { 'content-type': 'application/octet-stream' }, needs: 'write', challenge: basic, sendToken: (token) => basicAuth(token) });

  const routes: SecuredRoute[] = [
    read('artifact metadata', `${repo}/maven-metadata.xml`),
    read('artifact metadata sha1', `${repo}/maven-metadata.xml.sha1`),
    read('snapshot metadata', `${snapshot}/maven-metadata.xml`),
    read('snapshot metadata md5', `${snapshot}/maven-metadata.xml.md5`),
    read('release pom', `${release}.pom`),
    read('release jar', `${release}.jar`),
    read('release jar HEAD', `${release}.jar`, 'HEAD'),
    read('release jar sha256', `${release}.jar.sha256`),
    read('release jar sha512', `${release}.jar.sha512`),
    read('snapshot build jar', `${snapshot}/hello-1.1.0-20261124.034909-1.jar`),
    read('snapshot literal jar', `${snapshot}/hello-1.1.0-SNAPSHOT.jar`),
    read('owner-wide view pom', '/maven/alice/com/example/hello/1.0.0/hello-1.0.0.pom'),
    read('owner-wide view (*) metadata', '/maven/alice/*/com/example/hello/maven-metadata.xml'),
    write('deploy a new version pom', `${repo}/2.0.0/hello-2.0.0.pom`, nextPom),
    write('deploy a jar again', `${release}.jar`, jar),
    write('deploy a classified jar', `${release}-sources.jar`, jarBytes('sources')),
    write('upload a checksum', `${release}.jar.sha1`, digest(jar, 'sha1')),
    write('deploy a snapshot build', `${snapshot}/hello-1.1.0-20261124.050000-2.jar`, jarBytes('build 2')),
    write('upload artifact metadata', `${repo}/maven-metadata.xml`, '<metadata/>'),
    write('upload artifact metadata sha1', `${repo}/maven-metadata.xml.sha1`, digest('<metadata/>', 'sha1')),
    write('upload snapshot metadata', `${snapshot}/maven-metadata.xml`, '<metadata/>'),
    write('upload group metadata', '/maven/alice/secret/com/maven-metadata.xml', '<metadata/>'),
  ];
  // mvn sends files untyped, Gradle as octets; other methods are no part of the protocol.
  const other = (method: 'DELETE' | 'POST' | 'PATCH'): SuiteRoute => ({ name: `${method} a file`, method, url: `${release}.jar`, payload: jar, sendToken: (token) => basicAuth(token) });
  return { routes, writes: [other('DELETE'), other('POST'), other('PATCH')], refusal: refusals.plainText };
});
