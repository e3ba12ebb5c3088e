import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import Fastify, { type InjectOptions, type LightMyRequestResponse } from 'fastify';
import { UrlBuilder } from '../../src/delivery/url-builder.js';
import { FormatCatalog } from '../../src/formats/catalog.js';
import { formats } from '../../src/formats/registry.js';
import { apiPrefix, registerApiV1 } from '../../src/http/api/v1/routes.js';
import { createAuthenticator } from '../../src/http/authenticate.js';
import { buildTarball, npmUrlName, publishBody } from '../support/npm-fixtures.js';
import { startTestKura, TestClock, type TestKura } from '../support/harness.js';

const addFormats = ajvFormats.default.default;

interface Schema { [key: string]: unknown }
interface Operation { operationId: string; summary: string; tags: string[]; security: unknown[]; parameters?: Array<{ name: string; in: string }>; responses: Record<string, Schema> }
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Schema> };
}

/** `/repos/{owner}/{repo}` → a pattern matching request paths. */
const pathPattern = (template: string) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);

/**
 * The REST API's OpenAPI document: made from the routes' schemas, complete (every route, every
 * route with a schema), valid OpenAPI 3.1, equal to the committed docs/openapi.json, and true to
 * what the API answers: every response checked here, errors above all, validates against the
 * schema the document gives for its operation and status.
 */
describe('the OpenAPI document', () => {
  const clock = new TestClock();
  let k: TestKura;
  let doc: Document;
  let ajv: Ajv2020;
  const checked = new Map<string, Set<string>>();

  /** The operation of a request, by method and path. */
  function operationOf(method: string, url: string): { template: string; op: Operation } {
    const path = url.split('?')[0]!.slice(apiPrefix.length);
    const matches = Object.keys(doc.paths).filter((template) => pathPattern(template).test(path) && doc.paths[template]![method.toLowerCase()]);
    // A literal segment beats a parameter (`/user/packages` over `/users/{owner}`…).
    matches.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
    assert.ok(matches[0], `no operation for ${method} ${path}`);
    return { template: matches[0], op: doc.paths[matches[0]]![method.toLowerCase()]! };
  }

  /** Validates `res` against the schema its operation gives for its status, and records the status as checked. */
  function conforms(method: string, url: string, res: LightMyRequestResponse): LightMyRequestResponse {
    const { op } = operationOf(method, url);
    let response = op.responses[String(res.statusCode)] ?? op.responses['default'];
    assert.ok(op.responses[String(res.statusCode)], `${op.operationId} documents status ${res.statusCode} (${res.body})`);
    if (typeof response!['$ref'] === 'string') response = doc.components.responses[(response!['$ref'] as string).split('/').pop()!];
    const content = response!['content'] as Record<string, { schema: Schema }> | undefined;
    if (!content) {
      assert.equal(res.body, '', `${op.operationId} ${res.statusCode} has no body`);
    } else {
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const schema = JSON.parse(JSON.stringify({ ...content['application/json']!.schema, $defs: doc.components.schemas }).replaceAll('#/components/schemas/', '#/$defs/')) as Schema;
      const validate = ajv.compile(schema);
      assert.ok(validate(res.json()), `${method} ${url} → ${res.statusCode} does not fit ${op.operationId}'s schema: ${ajv.errorsText(validate.errors)}\n${res.body.slice(0, 500)}`);
    }
    const statuses = checked.get(op.operationId) ?? new Set<string>();
    statuses.add(String(res.statusCode));
    checked.set(op.operationId, statuses);
    return res;
  }

  /** Sends a request and checks its answer against the document. */
  async function call(method: NonNullable<InjectOptions['method']>, url: string, options: { token?: string; payload?: unknown; headers?: Record<string, string> } = {}) {
    const res = await k.inject({ method, url, ...(options.token ? { token: options.token } : {}), ...(options.payload !== undefined ? { payload: options.payload as string } : {}), ...(options.headers ? { headers: options.headers } : {}) });
    return conforms(String(method), url, res);
  }

  before(async () => {
    k = await startTestKura({}, clock);
    doc = (await k.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as Document;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
  });
  after(async () => k.close());

  it('lists every route of the API, each with a complete schema, and nothing else', async () => {
    // An independent count: an onRoute hook around the API's own registration.
    const probe = Fastify();
    const seen: Array<{ method: string; url: string; schema: Record<string, unknown> | undefined }> = [];
    probe.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') seen.push({ method, url: route.url, schema: route.schema as Record<string, unknown> | undefined });
    });
    await probe.register(async (api) => {
      registerApiV1(api, { core: k.core, formats: new FormatCatalog(formats, k.config.formatModes), formatContexts: k.kura.formatContexts, authenticate: createAuthenticator(k.core), urls: new UrlBuilder(k.config.baseUrl) });
    }, { prefix: apiPrefix });
    await probe.ready();
    await probe.close();

    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    assert.ok(seen.length > 70, `the API has its routes (${seen.length})`);
    assert.deepEqual(seen.map((r) => `${r.method} ${r.url.slice(apiPrefix.length).replace(/:(\w+)/g, '{$1}')}`).sort(), documented.sort());
    for (const route of seen) {
      for (const part of ['operationId', 'summary', 'tags', 'security', 'response']) assert.ok(route.schema?.[part], `${route.method} ${route.url} has a schema with ${part}`);
      assert.ok(k.app.hasRoute({ method: route.method as 'GET', url: route.url }), `the app serves ${route.method} ${route.url}`);
      const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const op = doc.paths[route.url.slice(apiPrefix.length).replace(/:(\w+)/g, '{$1}')]![route.method.toLowerCase()]!;
      assert.deepEqual(op.parameters?.filter((p) => p.in === 'path').map((p) => p.name) ?? [], params, `${op.operationId} documents its path parameters`);
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')), `${op.operationId} documents its success`);
    }
    const templates = new Map<string, string>();
    for (const path of Object.keys(doc.paths)) {
      const shape = path.replace(/\{[^}]+\}/g, '{}');
      assert.equal(templates.get(shape) ?? path, path, `two paths differ only in parameter names: ${templates.get(shape)} and ${path}`);
      templates.set(shape, path);
    }
    const unreferenced = Object.keys(doc.components.schemas).filter((name) => !JSON.stringify(doc).includes(`"#/components/schemas/${name}"`));
    assert.deepEqual(unreferenced, [], 'every shared schema is used');
  });

  it('is a valid OpenAPI 3.1 document whose schemas compile', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      assert.doesNotThrow(() => ajv.compile(JSON.parse(JSON.stringify({ ...schema, $defs: doc.components.schemas }).replaceAll('#/components/schemas/', '#/$defs/')) as Schema), name);
    }
    // Every `$ref` names a component.
    for (const ref of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(schemas|responses)\/([^"]+)"/g)) {
      assert.ok(doc.components[ref[1] as 'schemas' | 'responses'][ref[2]!], `${ref[0]} resolves`);
    }
  });

  it('is the committed docs/openapi.json (run `npm run openapi` after changing a route)', async () => {
    const committed = JSON.parse(await readFile(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as unknown;
    assert.deepEqual(doc, committed, 'docs/openapi.json is out of date: run `npm run openapi` and commit it');
  });

  it('is rendered at /api/docs as a page of every operation, with no script but the site’s own', async () => {
    const page = await k.inject({ method: 'GET', url: '/api/docs' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const op of Object.values(methods)) assert.ok(page.body.includes(`id="op-${op.operationId.replace(/[^A-Za-z0-9_-]/g, '-')}"`), `${op.operationId} (${path}) is on the page`);
    }
    for (const name of Object.keys(doc.components.schemas)) assert.ok(page.body.includes(`id="schema-${name}"`), `${name} is on the page`);
    assert.ok(page.body.includes('<code>/users/{owner}/packages/{type}/{name}/versions/{id}</code>'));
    assert.ok(page.body.includes('href="/api/v1/openapi.json"'));
    assert.deepEqual([...page.body.matchAll(/<script[^>]*>/g)].map((m) => m[0]).filter((tag) => !/src="\/-\/static\//.test(tag)), [], 'no inline or foreign script');
  });

  it('describes the error answers of the API, each of which fits the schema of its operation and status', async () => {
    const alice = (await k.user('alice')).token;
    const bob = (await k.user('bob')).token;
    const aliceAdmin = await k.token('alice', ['admin', 'read:packages', 'write:packages', 'delete:packages']);
    const aliceRead = await k.token('alice', ['read:packages']);
    await k.core.owners.createOrg('acme', 'alice');
    const publish = async (name: string, version: string) => {
      const tarball = await buildTarball({ name, version });
      const res = await k.inject({ method: 'PUT', url: `/npm/${npmUrlName(name)}`, token: alice, payload: publishBody(name, version, tarball) });
      assert.equal(res.statusCode, 201, res.body);
    };
    await publish('@alice/widget', '1.0.0');
    await publish('@alice/widget', '1.1.0');
    const pkg = '/api/v1/users/alice/packages/npm/%40alice%2Fwidget';

    // 200s and 204s, to hold the success schemas to account too.
    await call('GET', '/api/v1/openapi.json');
    await call('GET', '/api/v1/user', { token: alice });
    await call('GET', '/api/v1/users/alice/packages?package_type=npm', { token: alice });
    await call('GET', '/api/v1/user/packages?per_page=1', { token: alice });
    await call('GET', pkg, { token: alice });
    const versions = (await call('GET', `${pkg}/versions`, { token: alice })).json() as Array<{ id: number; name: string }>;
    await call('GET', `${pkg}/versions/${versions[0]!.id}`, { token: alice });
    await call('GET', `${pkg}/downloads`, { token: alice });
    await call('PATCH', pkg, { token: alice, payload: { visibility: 'public' } });
    await call('GET', '/api/v1/user/tokens', { token: alice });
    await call('POST', '/api/v1/user/repos', { token: aliceAdmin, payload: { name: 'tools', description: 'Tools' } });
    await call('GET', '/api/v1/repos/alice/tools', { token: alice });
    await call('GET', '/api/v1/repos/alice/tools/collaborators', { token: alice });
    await call('PUT', '/api/v1/repos/alice/tools/collaborators/bob', { token: aliceAdmin, payload: { permission: 'read' } });
    await call('GET', '/api/v1/repos/alice/tools/collaborators/bob/permission', { token: alice });
    await call('GET', '/api/v1/orgs/acme', { token: alice });
    await call('GET', '/api/v1/orgs/acme/members', { token: alice });
    await call('PUT', '/api/v1/orgs/acme/memberships/bob', { token: aliceAdmin, payload: { role: 'member' } });
    await call('GET', '/api/v1/orgs/acme/audit-log?per_page=2', { token: aliceAdmin });
    await call('POST', '/api/v1/repos/alice/tools/security-advisories', {
      token: aliceAdmin,
      payload: { summary: 'A flaw', description: 'Upgrade.', severity: 'high', vulnerabilities: [{ package: { ecosystem: 'npm', name: '@alice/widget' }, vulnerable_version_range: '<1.1.0', patched_versions: '1.1.0' }], state: 'published' },
    });
    await call('GET', '/api/v1/advisories', {});
    await call('GET', '/api/v1/advisories?format=osv', {});
    await call('DELETE', `${pkg}/versions/${versions[0]!.id}`, { token: alice });
    await call('POST', `${pkg}/versions/${versions[0]!.id}/restore`, { token: alice });

    // 400: the schemas refuse parameters and bodies, naming the field; and malformed JSON.
    for (const [method, url, payload, field] of [
      ['GET', '/api/v1/users/alice/packages?per_page=0', undefined, /"per_page" must be a whole number from 1 to 100/],
      ['GET', '/api/v1/users/alice/packages?package_type=cobol', undefined, /"package_type" must be one of npm/],
      ['GET', '/api/v1/users/alice/packages?page=1&page=2', undefined, /"page" may be given once/],
      ['GET', `${pkg}/versions?state=gone`, undefined, /"state" must be active or deleted, not "gone"/],
      ['GET', `${pkg}/downloads?from=yesterday`, undefined, /"from" must be a day as YYYY-MM-DD/],
      ['GET', '/api/v1/users/alice/packages/cobol/x', undefined, /"type" must be one of/],
      ['PATCH', pkg, { visibility: 'internal' }, /"visibility" must be public or private, not "internal"/],
      ['PATCH', pkg, { inherit_access: 'yes' }, /"inherit_access" must be true or false/],
      ['PATCH', pkg, [], /the body must be a JSON object/],
      ['PATCH', '/api/v1/repos/alice/tools', { private: 'true' }, /"private" must be true or false, not "true"/],
      ['POST', '/api/v1/user/tokens', { name: 'ci' }, /"scopes" is required/],
      ['POST', '/api/v1/repos/alice/tools/hooks', { config: { url: 'https://ci.example.com/x', content_type: 'form' } }, /"config.content_type" must be json, not "form"/],
      ['POST', '/api/v1/repos/alice/tools/hooks', { config: { url: 'https://ci.example.com/x' }, events: [] }, /"events" may not be empty/],
      ['GET', '/api/v1/orgs/acme/audit-log?actor=', undefined, /"actor" must be 1 to 200 characters/],
    ] as const) {
      const res = await call(method, url, { token: aliceAdmin, ...(payload !== undefined ? { payload } : {}) });
      assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().error.code, 'BAD_REQUEST');
      assert.match(res.json().error.message, field, `${method} ${url}`);
    }
    const malformed = await call('PATCH', pkg, { token: alice, payload: '{"visibility":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.json().error.code, 'MALFORMED_JSON');

    // 401: anonymous where a caller is needed, and unknown credentials anywhere.
    assert.equal((await call('GET', '/api/v1/user')).statusCode, 401);
    assert.equal((await call('GET', '/api/v1/users/alice/packages', { token: 'kura_nonsense' })).statusCode, 401);
    assert.equal((await call('DELETE', pkg)).statusCode, 401);

    // 403: a token without the scope, a reader who may not act.
    const scope = await call('POST', '/api/v1/user/tokens', { token: alice, payload: { scopes: ['read:packages'] } });
    assert.equal(scope.statusCode, 403);
    assert.equal((await call('DELETE', pkg, { token: aliceRead })).statusCode, 403);
    assert.equal((await call('DELETE', `${pkg}/versions/${versions[0]!.id}`, { token: bob })).statusCode, 403);
    assert.equal((await call('GET', '/api/v1/audit-log', { token: aliceAdmin })).statusCode, 403);

    // 404: missing owners, packages, versions, repositories, routes of a type.
    assert.equal((await call('GET', '/api/v1/users/nobody', { token: alice })).statusCode, 404);
    assert.equal((await call('GET', '/api/v1/users/alice/packages/npm/%40alice%2Fnothing', { token: alice })).statusCode, 404);
    assert.equal((await call('GET', `${pkg}/versions/999999`, { token: alice })).statusCode, 404);
    assert.equal((await call('GET', `${pkg}/settings`, { token: alice })).statusCode, 404);
    assert.equal((await call('GET', '/api/v1/repos/alice/nothing', { token: alice })).statusCode, 404);
    assert.equal((await call('GET', '/api/v1/orgs/acme/hooks/12345', { token: aliceAdmin })).statusCode, 404);

    // 409: what exists already, and the last owner.
    assert.equal((await call('POST', '/api/v1/user/repos', { token: aliceAdmin, payload: { name: 'tools' } })).statusCode, 409);
    assert.equal((await call('PUT', '/api/v1/orgs/acme/memberships/alice', { token: aliceAdmin, payload: { role: 'member' } })).json().error.code, 'LAST_OWNER');
    assert.equal((await call('DELETE', '/api/v1/orgs/acme/memberships/alice', { token: aliceAdmin })).statusCode, 409);

    // 410: past the restore window.
    await call('DELETE', `${pkg}/versions/${versions[0]!.id}`, { token: alice });
    clock.advance(31 * 86_400_000);
    assert.equal((await call('POST', `${pkg}/versions/${versions[0]!.id}/restore`, { token: alice })).statusCode, 410);

    // 413 and 415: bodies refused before they are read.
    assert.equal((await call('PATCH', '/api/v1/user', { token: alice, payload: JSON.stringify({ x: 'y'.repeat(1024 * 1024) }), headers: { 'content-type': 'application/json' } })).statusCode, 413);
    assert.equal((await call('POST', '/api/v1/user/tokens', { token: alice, payload: 'scopes=admin', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode, 415);
    assert.equal((await call('PATCH', pkg, { token: alice, payload: 'visibility=public', headers: { 'content-type': 'text/plain' } })).statusCode, 415);

    const errorStatuses = new Set([...checked.values()].flatMap((s) => [...s]).filter((s) => !s.startsWith('2')));
    assert.deepEqual([...errorStatuses].sort(), ['400', '401', '403', '404', '409', '410', '413', '415']);
  });
});
