import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AllowedHosts } from '../../core/webhooks/address-rules.js';
import { checkTarget, guardedPost, RefusedTarget, type Resolver } from './guarded-post.js';

const none = new AllowedHosts([]);
const resolving = (addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('the outbound address guard', () => {
  let port: number;
  const seen: Array<{ host: string | undefined; url: string | undefined }> = [];
  const server = createServer((req, res) => {
    seen.push({ host: req.headers.host, url: req.url });
    if (req.url === '/hop') {
      res.writeHead(307, { location: '/done' });
      res.end();
    } else if (req.url === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(100_000));
    }
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses a name when any of its addresses is refused', async () => {
    await assert.rejects(checkTarget(new URL('http://rebind.example/'), none, resolving(['93.184.216.34', '127.0.0.1'])), (error: Error) => {
      assert.ok(error instanceof RefusedTarget);
      assert.match(error.message, /rebind\.example resolves to 127\.0\.0\.1, a loopback address \(127\.0\.0\.0\/8\)/);
      return true;
    });
    assert.deepEqual(await checkTarget(new URL('http://ok.example/'), none, resolving(['93.184.216.34', '2606:4700::1'])), { address: '93.184.216.34', family: 4 });
  });

  it('lets an allowed name or address through, on its port', async () => {
    const allowed = new AllowedHosts(['inside.example:8080', '10.1.2.3:9000']);
    assert.equal((await checkTarget(new URL('http://inside.example:8080/'), allowed, resolving(['10.9.9.9']))).address, '10.9.9.9');
    await assert.rejects(checkTarget(new URL('http://inside.example:8081/'), allowed, resolving(['10.9.9.9'])), RefusedTarget);
    assert.equal((await checkTarget(new URL('http://other.example:9000/'), allowed, resolving(['10.1.2.3']))).address, '10.1.2.3');
  });

  it('refuses schemes other than http and https, and reports names that do not resolve', async () => {
    await assert.rejects(checkTarget(new URL('file:///etc/passwd'), none), RefusedTarget);
    await assert.rejects(checkTarget(new URL('http://nothing.invalid/'), none), /could not resolve nothing\.invalid/);
  });

  it('connects to the address it checked, sending the name as Host, and keeps the first 64 KiB of the answer', async () => {
    const outcome = await guardedPost({
      url: `http://pinned.example:${port}/hop`, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}'),
      allowed: new AllowedHosts([`pinned.example:${port}`]), timeoutMs: 5000, resolve: resolving(['127.0.0.1']),
    });
    assert.equal(outcome.error, null);
    assert.equal(outcome.statusCode, 200);
    assert.deepEqual(outcome.redirects, [`http://pinned.example:${port}/done`]);
    assert.equal(outcome.responseBody!.length, 64 * 1024);
    assert.deepEqual(seen.slice(-2), [{ host: `pinned.example:${port}`, url: '/hop' }, { host: `pinned.example:${port}`, url: '/done' }]);
  });

  it('follows at most three redirects', async () => {
    const outcome = await guardedPost({ url: `http://127.0.0.1:${port}/loop`, headers: {}, body: Buffer.alloc(0), allowed: new AllowedHosts([`127.0.0.1:${port}`]), timeoutMs: 5000 });
    assert.equal(outcome.statusCode, 302);
    assert.equal(outcome.redirects.length, 3);
    assert.match(outcome.error!, /more than 3 redirects/);
  });

  it('refuses literal loopback, private and link-local targets without connecting', async () => {
    const before = seen.length;
    for (const url of [`http://127.0.0.1:${port}/`, `http://[::1]:${port}/`, 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', `http://[::ffff:127.0.0.1]:${port}/`]) {
      const outcome = await guardedPost({ url, headers: {}, body: Buffer.alloc(0), allowed: none, timeoutMs: 5000 });
      assert.equal(outcome.refused, true, url);
      assert.equal(outcome.statusCode, null);
      assert.match(outcome.error!, /^refused: .* address \(/, url);
    }
    assert.equal(seen.length, before);
  });

  it('gives up on a request that gets no answer in time', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as AddressInfo).port;
    const outcome = await guardedPost({ url: `http://127.0.0.1:${silentPort}/`, headers: {}, body: Buffer.alloc(0), allowed: new AllowedHosts([`127.0.0.1:${silentPort}`]), timeoutMs: 200 });
    assert.match(outcome.error!, /no complete response within 0\.2 s/);
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});
