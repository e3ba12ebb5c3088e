import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKura, type TestKura } from '../support/harness.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';

describe('Prometheus metrics and readiness', () => {
  let k: TestKura;
  before(async () => {
    k = await startTestKura();
  });
  after(() => k.close());

  it('counts requests by format and route template, never by package name', async () => {
    const alice = (await k.user('alice')).token;
    await k.inject({ method: 'GET', url: '/npm/@alice%2fsecret-name', token: alice });
    await k.inject({ method: 'GET', url: '/api/v1/user', token: alice });
    await k.inject({ method: 'GET', url: '/v2/' });
    const res = await k.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(res.body, /kura_http_requests_total\{area="npm",route="\/npm\/\*",method="GET",status="4xx"\} 1/);
    assert.match(res.body, /kura_http_requests_total\{area="api",route="\/api\/v1\/user",method="GET",status="2xx"\} 1/);
    assert.match(res.body, /kura_http_request_duration_seconds_bucket\{area="container",route="\/v2",method="GET",le="10"\} 1\n/);
    assert.match(res.body, /kura_http_request_duration_seconds_bucket\{area="container",route="\/v2",method="GET",le="\+Inf"\} 1\n/);
    assert.match(res.body, /kura_http_request_duration_seconds_count\{area="container",route="\/v2",method="GET"\} 1\n/);
    assert.match(res.body, /kura_process_cpu_seconds_total/);
    assert.doesNotMatch(res.body, /secret-name/);
    const tarball = await buildTarball({ name: '@alice/counted', version: '1.0.0' });
    const published = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName('@alice/counted')}`, token: alice, payload: publishBody('@alice/counted', '1.0.0', tarball) });
    assert.equal(published.statusCode, 201, published.body);
    const after = (await k.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(after, /kura_package_writes_total\{format="npm",action="version.publish"\} 1/);
    assert.match(after, /kura_http_request_bytes_total\{area="npm"\} [1-9]/);
    assert.doesNotMatch(res.body, /kura_[0-9A-Za-z]{36}/, 'no token ever reaches the metrics');
  });

  it('times database queries and blob store calls, and counts cache hits and misses', async () => {
    const alice = (await k.user('carol')).token;
    const tarball = await buildTarball({ name: '@carol/cached', version: '1.0.0' });
    assert.equal((await k.inject({ method: 'PUT', url: `/npm/${npmUrlName('@carol/cached')}`, token: alice, payload: publishBody('@carol/cached', '1.0.0', tarball) })).statusCode, 201);
    const before = (await k.inject({ method: 'GET', url: '/metrics' })).body;
    const count = (body: string, pattern: RegExp) => Number(pattern.exec(body)?.[1] ?? 0);
    for (let i = 0; i < 3; i++) {
      assert.equal((await k.inject({ method: 'GET', url: `/npm/${npmUrlName('@carol/cached')}`, token: alice })).statusCode, 200);
      assert.equal((await k.inject({ method: 'GET', url: '/npm/@carol/cached/-/cached-1.0.0.tgz', token: alice })).statusCode, 200);
    }
    const after = (await k.inject({ method: 'GET', url: '/metrics' })).body;
    const packumentHits = /kura_cache_lookups_total\{cache="npm\.packument",outcome="hit"\} (\d+)/;
    const packumentMisses = /kura_cache_lookups_total\{cache="npm\.packument",outcome="miss"\} (\d+)/;
    assert.equal(count(after, packumentMisses) - count(before, packumentMisses), 1, 'the first GET renders the packument');
    assert.equal(count(after, packumentHits) - count(before, packumentHits), 5, 'the next two, and the tarball GETs finding their file, come from the cache');
    const blobHits = /kura_cache_lookups_total\{cache="blob",outcome="hit"\} (\d+)/;
    assert.ok(count(after, blobHits) - count(before, blobHits) >= 2, 'small tarballs are served from the blob cache');
    assert.match(after, /kura_db_query_duration_seconds_count\{outcome="ok"\} [1-9]/);
    assert.match(after, /kura_blob_operation_duration_seconds_count\{operation="commit",outcome="ok"\} [1-9]/);
  });

  it('answers /readyz when the database and the blob store answer', async () => {
    const res = await k.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ready', database: 'ok', blobs: 'ok' });
  });

  it('serves no /metrics with KURA_METRICS=off', async () => {
    const quiet = await startTestKura({ KURA_METRICS: 'off' });
    try {
      assert.equal((await quiet.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
    } finally {
      await quiet.close();
    }
  });
});
