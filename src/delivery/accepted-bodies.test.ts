import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { isKuraError } from '../core/errors/catalogue.js';
import { accepting, guardWriteBodies, jsonBody, noBody, type AcceptedBodies } from './accepted-bodies.js';

const octets: AcceptedBodies = { types: ['application/octet-stream'], what: 'the file' };

/** An app whose routes record the bodies they read; refusals render as `{ code, message }`. */
async function appWith(register: (app: FastifyInstance) => void, options: { bodyLimit?: number } = {}) {
  const app = Fastify({ bodyLimit: options.bodyLimit ?? 1024 * 1024 });
  const read: string[] = [];
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    read.push(`${request.method} ${request.url}`);
    done(null, body);
  });
  app.setErrorHandler((error, _request, reply) => {
    if (isKuraError(error)) return reply.status(error.status).send({ code: error.code, message: error.message });
    return reply.status((error as { statusCode?: number }).statusCode ?? 500).send({ code: (error as { code?: string }).code });
  });
  guardWriteBodies(app);
  register(app);
  await app.ready();
  return { app, read };
}

describe('guardWriteBodies', () => {
  it('refuses to start with a write route that declares nothing', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      await assert.rejects(appWith((app) => app.route({ method, url: '/x', handler: async () => 'ok' })), /declares the bodies it accepts/, method);
    }
    await assert.rejects(appWith((app) => app.route({ method: ['GET', 'DELETE'], url: '/x', handler: async () => 'ok' })), /declares the bodies/);
    const { app } = await appWith((a) => a.get('/x', async () => 'ok'));
    assert.equal((await app.inject({ method: 'GET', url: '/x' })).statusCode, 200, 'reads need no declaration');
  });

  it('refuses to start with a POST route that accepts what a cross-site page can send', async () => {
    for (const types of [['text/plain'], ['application/x-www-form-urlencoded'], ['multipart/form-data']]) {
      await assert.rejects(appWith((app) => app.post('/x', accepting({ types }), async () => 'ok')), /cross-site/, types[0]);
    }
    await assert.rejects(appWith((app) => app.post('/x', accepting({ types: [], untyped: true }), async () => 'ok')), /untyped/);
    await appWith((app) => {
      app.put('/form', accepting({ types: ['multipart/form-data'] }), async () => 'ok');
      app.delete('/form', accepting({ types: ['application/x-www-form-urlencoded'] }), async () => 'ok');
      app.put('/untyped', accepting({ types: [], untyped: true }), async () => 'ok');
    });
  });

  it('accepts the declared media types whatever their parameters and case', async () => {
    const { app, read } = await appWith((a) => a.put('/x', accepting(jsonBody), async () => 'ok'));
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', ' application/json ;x=1']) {
      const res = await app.inject({ method: 'PUT', url: '/x', headers: { 'content-type': type }, payload: '{}' });
      assert.equal(res.statusCode, 200, type);
    }
    assert.equal(read.length, 4);
  });

  it('refuses any other type with 415 before the body is read, whatever the method', async () => {
    const { app, read } = await appWith((a) => {
      a.post('/json', accepting(jsonBody), async () => 'ok');
      a.put('/file', accepting(octets), async () => 'ok');
      a.patch('/file', accepting(octets), async () => 'ok');
      a.delete('/file', accepting(noBody), async () => 'ok');
    });
    const cases: Array<['POST' | 'PUT' | 'PATCH' | 'DELETE', string]> = [['POST', '/json'], ['PUT', '/file'], ['PATCH', '/file'], ['DELETE', '/file']];
    for (const [method, url] of cases) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=b', 'application/xml', '']) {
        const res = await app.inject({ method, url, headers: { 'content-type': type }, payload: 'a=1' });
        assert.equal(res.statusCode, 415, `${method} ${url} ${type}: ${res.body}`);
        assert.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE');
      }
    }
    const file = await app.inject({ method: 'PUT', url: '/file', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    assert.equal(file.json().message, 'expected the file (application/octet-stream), not text/plain');
    const none = await app.inject({ method: 'DELETE', url: '/file', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(none.json().message, 'expected no body, not application/json');
    assert.deepEqual(read, [], 'no refused body was read');
  });

  it('refuses a body over the size limit as 415, not 413: it is refused before it is read', async () => {
    const { app, read } = await appWith((a) => a.post('/json', accepting(jsonBody), async () => 'ok'), { bodyLimit: 16 });
    const res = await app.inject({ method: 'POST', url: '/json', headers: { 'content-type': 'text/plain' }, payload: 'x'.repeat(1024) });
    assert.equal(res.statusCode, 415);
    assert.equal((await app.inject({ method: 'POST', url: '/json', headers: { 'content-type': 'application/json' }, payload: 'x'.repeat(1024) })).statusCode, 413);
    assert.deepEqual(read, []);
  });

  it('lets a request without a type or a body through; body bytes without a type only where untyped bodies are accepted', async () => {
    const { app } = await appWith((a) => {
      a.post('/restore', accepting(jsonBody), async () => 'ok');
      a.put('/file', accepting(octets), async () => 'ok');
      a.put('/maven', accepting({ ...octets, untyped: true }), async () => 'ok');
    });
    assert.equal((await app.inject({ method: 'POST', url: '/restore' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'POST', url: '/restore', headers: { 'content-length': '0' } })).statusCode, 200);
    const untyped = await app.inject({ method: 'POST', url: '/restore', payload: Buffer.from('{}') });
    assert.equal(untyped.statusCode, 415, 'a cross-site fetch() of bytes sends no Content-Type');
    assert.equal(untyped.json().message, 'expected a JSON document (application/json), not a body without a Content-Type');
    assert.equal((await app.inject({ method: 'PUT', url: '/file', payload: Buffer.from('x') })).statusCode, 415);
    assert.equal((await app.inject({ method: 'PUT', url: '/maven', payload: Buffer.from('x') })).statusCode, 200);
    assert.equal((await app.inject({ method: 'PUT', url: '/maven', headers: { 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 415);
  });

  it('applies a per-request rule, holding POSTs to the cross-site rule at request time', async () => {
    const lenient: AcceptedBodies = { types: ['text/plain', 'application/octet-stream'], untyped: true };
    const { app } = await appWith((a) => a.route({ method: ['GET', 'POST', 'PUT'], url: '/*', config: { acceptedBodies: () => lenient }, handler: async () => 'ok' }));
    assert.equal((await app.inject({ method: 'PUT', url: '/a', headers: { 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'PUT', url: '/a', payload: Buffer.from('x') })).statusCode, 200);
    assert.equal((await app.inject({ method: 'POST', url: '/a', headers: { 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 415);
    assert.equal((await app.inject({ method: 'POST', url: '/a', payload: Buffer.from('x') })).statusCode, 415);
    assert.equal((await app.inject({ method: 'POST', url: '/a', headers: { 'content-type': 'application/octet-stream' }, payload: 'x' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/a', headers: { 'content-type': 'text/plain' } })).statusCode, 200, 'reads are not guarded');
  });

  it('falls back to the scope default for routes that declare nothing', async () => {
    const app = Fastify();
    guardWriteBodies(app, jsonBody);
    app.post('/x', async () => 'ok');
    app.put('/y', accepting({ types: ['text/plain'] }), async () => 'ok');
    await app.ready();
    assert.equal((await app.inject({ method: 'POST', url: '/x', headers: { 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 415);
    assert.equal((await app.inject({ method: 'POST', url: '/x', headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'PUT', url: '/y', headers: { 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 200, 'a declaration overrides the default');
    assert.equal((await app.inject({ method: 'PUT', url: '/y', headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode, 415);
  });
});
