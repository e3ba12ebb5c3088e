import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { basicAuth, billionLaughsPom, jarBytes, pomXml, zipBytes } from '../e2e/fixtures/maven/artifacts.js';
import { MavenInjectClient } from '../e2e/fixtures/maven/inject-client.js';

interface RawResponse {
  status: number;
  body: string;
}

describe('Maven bad input: clear 4xx, nothing stored', () => {
  let k: TestKura;
  let alice: { token: string };
  let mvn: MavenInjectClient;
  let port: number;

  before(async () => {
    k = await startTestKura();
    alice = await k.user('alice');
    await k.user('carol');
    await k.core.repos.create({ fullName: 'alice/tools' });
    await k.core.repos.create({ fullName: 'alice/secret', visibility: 'private' });
    await k.core.repos.setCollaborator('alice/tools', 'carol', 'read');
    mvn = new MavenInjectClient(k, '/maven/alice/tools', alice.token);
    await k.app.listen({ port: 0, host: '127.0.0.1' });
    port = (k.app.server.address() as AddressInfo).port;
  });
  after(() => k.close());

  /** Sends the path exactly as written (inject() would normalize `..` away), as a real client could. */
  function raw(method: 'GET' | 'PUT', path: string, body = 'x'): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const headers = { ...basicAuth(alice.token), ...(method === 'PUT' ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(method === 'PUT' ? body : undefined);
    });
  }

  /** Every committed blob and every Maven package: nothing of a refused upload may show up here. */
  async function stored(): Promise<{ blobs: number; packages: string[] }> {
    let blobs = 0;
    for await (const _blob of k.core.deps.blobs.list()) blobs++;
    const owner = (await k.core.owners.find('alice'))!;
    const packages = (await k.core.packages.queries.listByOwner(owner.id, { format: 'maven' })).map((p) => p.name);
    return { blobs, packages };
  }

  async function assertRefused(response: { statusCode: number; body: string } | RawResponse, status: number, message: RegExp): Promise<void> {
    const code = 'statusCode' in response ? response.statusCode : response.status;
    assert.equal(code, status, response.body);
    assert.match(response.body, message);
  }

  const pomPath = '/maven/alice/tools/com/example/hello/1.0/hello-1.0.pom';
  const goodPom = pomXml({ groupId: 'com.example', artifactId: 'hello', version: '1.0' });

  it('refuses path traversal however it is spelled', async () => {
    const before = await stored();
    const attempts: Array<[string, RegExp]> = [
      ['/maven/alice/tools/com/example/../../../etc/hello/1.0/hello-1.0.pom', /relative path segments/],
      ['/maven/alice/tools/com/example/%2e%2e/hello/1.0/hello-1.0.pom', /relative path segments/],
      ['/maven/alice/tools/com/example/%2E%2E/%2e%2E/hello/1.0/hello-1.0.pom', /relative path segments/],
      ['/maven/alice/tools/com/example/hello/1.0/..%2fhello-1.0.pom', /encoded slashes/],
      ['/maven/alice/tools/com%2Fexample/hello/1.0/hello-1.0.pom', /encoded slashes/],
      ['/maven/alice/tools/com/example/hello/1.0/%5c..%5chello-1.0.pom', /encoded slashes/],
      ['/maven/alice/tools//etc/passwd/1.0/passwd-1.0.pom', /empty path segments/],
      ['/maven/alice/tools/com/example/hello/1.0/hello-1.0.pom%00.jar', /invalid characters/],
      // Undecodable URLs are refused before routing, still in Maven's plain-text dialect.
      ['/maven/alice/tools/com/example/hello/1.0/hello-1.0%2', /URL is malformed/],
    ];
    for (const [path, message] of attempts) {
      await assertRefused(await raw('PUT', path, goodPom), 400, message);
      await assertRefused(await raw('GET', path), 400, message);
    }
    assert.deepEqual(await stored(), before);
  });

  it('refuses a POM whose coordinates disagree with its path', async () => {
    const before = await stored();
    for (const [pom, message] of [
      [pomXml({ groupId: 'org.other', artifactId: 'hello', version: '1.0' }), /groupId is "org\.other" but the path says "com\.example"/],
      [pomXml({ groupId: 'com.example', artifactId: 'bye', version: '1.0' }), /artifactId is "bye" but the path says "hello"/],
      [pomXml({ groupId: 'com.example', artifactId: 'hello', version: '2.0' }), /version is "2\.0" but the path says "1\.0"/],
      [pomXml({ groupId: 'com.example', artifactId: 'hello', version: '${revision}' }), /version is "\$\{revision\}"/],
    ] as const) await assertRefused(await mvn.put(pomPath, pom), 400, message);
    await assertRefused(await mvn.put(pomPath, '<project><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>hello</artifactId></project>'), 400, /no version/);
    await assertRefused(await mvn.put('/maven/alice/tools/com/example/hello/1.0/other-1.0.jar', jarBytes()), 400, /other-1\.0\.jar is not a file of com\.example:hello:1\.0/);
    await assertRefused(await mvn.put('/maven/alice/tools/com/example/hello/1.0/hello-1.0-20261124.034909-1.jar', jarBytes()), 400, /not a file of/);
    assert.deepEqual(await stored(), before);
  });

  it('refuses malformed POM XML', async () => {
    const before = await stored();
    for (const [pom, message] of [
      ['<project><groupId>com.example</groupId>', /not well-formed XML/],
      ['<project><groupId>com.example</artifactId></project>', /not well-formed XML/],
      ['not xml at all', /not well-formed XML|no root element/],
      ['', /not well-formed XML: document must contain a root element/],
      ['<?xml version="1.0"?><metadata/>', /root element is <metadata>, not <project>/],
      ['<project><groupId>&undefined;</groupId></project>', /not well-formed XML/],
    ] as const) await assertRefused(await mvn.put(pomPath, pom), 400, message);
    assert.deepEqual(await stored(), before);
  });

  it('refuses an XML entity bomb (billion laughs) at once', async () => {
    const before = await stored();
    const started = process.hrtime.bigint();
    const res = await mvn.put('/maven/alice/tools/com/example/bomb/1.0/bomb-1.0.pom', billionLaughsPom);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    await assertRefused(res, 400, /DOCTYPE/);
    assert.ok(elapsedMs < 1000, `took ${elapsedMs} ms`);
    await assertRefused(await mvn.put('/maven/alice/tools/com/example/hello/maven-metadata.xml', billionLaughsPom.replace(/project/g, 'metadata')), 400, /DOCTYPE/);
    assert.deepEqual(await stored(), before);
  });

  it('refuses a jar that is not a zip archive', async () => {
    const before = await stored();
    const path = '/maven/alice/tools/com/example/hello/1.0/hello-1.0.jar';
    const good = jarBytes();
    const truncated = good.subarray(0, good.length - 10);
    const corruptDirectory = Buffer.from(good);
    corruptDirectory.writeUInt32LE(0xdeadbeef, good.readUInt32LE(good.length - 22 + 16));
    for (const [bytes, message] of [
      [Buffer.from('this is not a jar'), /hello-1\.0\.jar is not a zip archive/],
      [Buffer.from('PK\x03\x04 but nothing else follows here'), /no end-of-central-directory record/],
      [truncated, /no end-of-central-directory record/],
      [corruptDirectory, /central directory is corrupt/],
      [Buffer.alloc(0), /too short/],
    ] as const) await assertRefused(await mvn.put(path, bytes), 400, message);
    await assertRefused(await mvn.put('/maven/alice/tools/com/example/hello/1.0/hello-1.0-sources.jar', 'plain text'), 400, /not a zip archive/);
    assert.deepEqual(await stored(), before);
    assert.equal((await mvn.put(path, zipBytes({}))).statusCode, 201, 'an empty zip is still a zip');
  });

  it('refuses uploads to a repository that does not exist or that the caller cannot write', async () => {
    const before = await stored();
    const carol = await k.token('carol', ['read:packages', 'write:packages']);
    await assertRefused(await mvn.put('/maven/alice/nowhere/com/example/hello/1.0/hello-1.0.pom', goodPom), 404, /repository alice\/nowhere not found/);
    await assertRefused(await mvn.put('/maven/nobody/tools/com/example/hello/1.0/hello-1.0.pom', goodPom), 404, /no user or organization named "nobody"/);
    await assertRefused(await mvn.put('/maven/alice/*/com/example/hello/1.0/hello-1.0.pom', goodPom), 404, /not found/);
    await assertRefused(await mvn.put(pomPath, goodPom, carol), 403, /you need write permission on repository alice\/tools/);
    await assertRefused(await mvn.put('/maven/alice/secret/com/example/hello/1.0/hello-1.0.pom', goodPom, carol), 404, /not found/);
    await assertRefused(await mvn.put(pomPath, goodPom, null), 401, /authentication required/);
    await assertRefused(await mvn.put('/maven/alice/tools/com/example/hello', goodPom), 400, /not a file in the Maven layout/);
    assert.deepEqual(await stored(), before);
  });

  it('refuses a body larger than the configured limit before storing it', async () => {
    const small = await startTestKura({ KURA_MAX_BODY_SIZE: '1kb' });
    try {
      const owner = await small.user('alice');
      await small.core.repos.create({ fullName: 'alice/tools' });
      const client = new MavenInjectClient(small, '/maven/alice/tools', owner.token);
      const big = zipBytes({ 'big.bin': Buffer.alloc(4096, 7) });
      await assertRefused(await client.put('/maven/alice/tools/com/example/big/1.0/big-1.0.jar', big), 413, /exceeds the limit of 1024 bytes/);
      assert.equal(await small.core.packages.queries.find('maven', 'alice', 'com.example:big'), null);
    } finally {
      await small.close();
    }
  });
});
