import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { blobCount, startTestKura, type TestKura } from '../support/harness.js';

/** Tokens of the suite's actors. alice owns the private target; bob is signed in but unrelated. */
export interface SecurityActors {
  /** alice, `read:packages` only. */
  aliceRead: string;
  /** alice, every scope. */
  aliceAll: string;
  /** bob, every scope, no permission on alice's things. */
  bob: string;
}

/** A request to one route of a format or the API. */
export interface SuiteRoute {
  name: string;
  method: NonNullable<InjectOptions['method']>;
  url: string;
  payload?: InjectOptions['payload'];
  headers?: Record<string, string>;
  /** How the actor's token is sent; default `Authorization: Bearer`. */
  sendToken?: (token: string) => Record<string, string>;
  /**
   * The cross-site body types ({@link crossSiteTypes}) the route's real client does send (a NuGet
   * push is multipart, a gem yank a form, both by PUT or DELETE); the route refuses the others.
   */
  accepts?: string[];
}

/** One route of a format or the API, addressing something PRIVATE of alice. */
export interface SecuredRoute extends SuiteRoute {
  /** The permission the route needs on the target (`administer`: an admin role and the `admin` scope, even to read). */
  needs: 'read' | 'write' | 'delete' | 'administer';
  /** The challenge an anonymous caller must get with the 401 (`WWW-Authenticate`). */
  challenge: RegExp;
}

export interface SecuritySetup {
  routes: SecuredRoute[];
  /** Write routes that address no package of alice (logins, audits, tokens): only their body types are checked. */
  writes?: SuiteRoute[];
  /** Asserts that a 415 is written in the route's client dialect. */
  refusal(res: LightMyRequestResponse, route: SuiteRoute): void;
}

/** How the shared dialects write a 415 (the message names what the route takes). */
export const refusals = {
  /** The REST API: `{ "error": { "code", "message" } }`. */
  api(res: LightMyRequestResponse): void {
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const { error } = res.json() as { error: { code: string; message: string } };
    assert.equal(error.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(error.message, /^expected /);
  },
  /** npm: `{ "error": message, "code" }`, which every npm client prints. */
  npm(res: LightMyRequestResponse): void {
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = res.json() as { error: string; code: string };
    assert.equal(body.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(body.error, /^expected /);
  },
  /** Maven, NuGet and RubyGems: the message as a plain-text body and as the reason phrase. */
  plainText(res: LightMyRequestResponse): void {
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.match(res.body, /^expected /);
    assert.equal(res.statusMessage, res.body.trim());
  },
};

const writeMethods: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The body types a page on another site can send with a plain form or fetch(), without a CORS preflight. */
export const crossSiteTypes = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'] as const;

/** The route's own payload (or a small one) sent as `type`, as a cross-site page could. */
function crossSiteBody(route: SuiteRoute, type: (typeof crossSiteTypes)[number]): { contentType: string; payload: Buffer } {
  const own = route.payload === undefined ? Buffer.from('version=1.0.0')
    : Buffer.isBuffer(route.payload) ? route.payload
      : Buffer.from(typeof route.payload === 'string' ? route.payload : JSON.stringify(route.payload));
  if (type !== 'multipart/form-data') return { contentType: type, payload: own };
  const part = Buffer.from('--kura\r\nContent-Disposition: form-data; name="package"; filename="package"\r\n\r\n');
  return { contentType: 'multipart/form-data; boundary=kura', payload: Buffer.concat([part, own, Buffer.from('\r\n--kura--\r\n')]) };
}

/** What a write could leave behind: the row count of every table, the packages' revisions, stored blobs and uploads. */
export async function storedState(k: TestKura): Promise<Record<string, number>> {
  const db = k.core.deps.db;
  const state: Record<string, number> = {};
  for (const table of await db.introspection.getTables()) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table.name)}`.execute(db);
    state[table.name] = Number(rows[0]!.n);
  }
  const { rows } = await sql<{ n: number | string | null }>`select sum(rev) as n from packages`.execute(db);
  state['sum of package revisions'] = Number(rows[0]!.n ?? 0);
  state['blobs'] = await blobCount(k);
  let uploads = 0;
  for await (const _upload of k.core.deps.blobs.uploads?.list() ?? []) uploads++;
  state['uploads in progress'] = uploads;
  return state;
}

/**
 * The shared security suite (DESIGN §1), run over every route of a format or the API:
 * anonymous → 401 with the client's challenge; a signed-in user who may not read → 404;
 * a read-only token on a write or delete route → 403; and on every write route, a body of a type
 * a cross-site page can send (and the client never does) → 415 in the client's dialect, with
 * nothing stored. `setup` creates alice's private target (alice and bob already exist) and lists
 * the routes.
 */
export function securitySuite(title: string, setup: (k: TestKura, actors: SecurityActors) => Promise<SecuritySetup>): void {
  describe(`security: ${title}`, () => {
    let k: TestKura;
    let actors: SecurityActors;
    let routes: SecuredRoute[] = [];
    let writes: SuiteRoute[] = [];
    let refusal: SecuritySetup['refusal'];

    before(async () => {
      k = await startTestKura();
      const alice = await k.user('alice');
      const bob = await k.user('bob');
      actors = { aliceAll: alice.token, aliceRead: await k.token('alice', ['read:packages']), bob: bob.token };
      ({ routes, writes = [], refusal } = await setup(k, actors));
      assert.ok(routes.length > 0, 'the setup lists routes');
    });
    after(() => k.close());

    const call = (route: SuiteRoute, token: string | null, body?: { contentType: string; payload: Buffer }) => {
      const auth = token === null ? {} : route.sendToken ? route.sendToken(token) : { authorization: `Bearer ${token}` };
      if (body) return k.app.inject({ method: route.method, url: route.url, payload: body.payload, headers: { ...route.headers, ...auth, 'content-type': body.contentType } });
      return k.app.inject({ method: route.method, url: route.url, payload: route.payload, headers: { ...route.headers, ...auth } });
    };

    it('answers anonymous callers 401 with the challenge, on every route', async () => {
      for (const route of routes) {
        const res = await call(route, null);
        assert.equal(res.statusCode, 401, `${route.name}: ${res.statusCode} ${res.body}`);
        assert.match(String(res.headers['www-authenticate'] ?? ''), route.challenge, `${route.name}: challenge`);
      }
    });

    it('answers a signed-in user without access 404, never 403, on every route', async () => {
      for (const route of routes) {
        const res = await call(route, actors.bob);
        assert.equal(res.statusCode, 404, `${route.name}: ${res.statusCode} ${res.body}`);
      }
    });

    it('answers a read-only token 403 on every write and delete route', async () => {
      for (const route of routes.filter((r) => r.needs !== 'read')) {
        const res = await call(route, actors.aliceRead);
        assert.equal(res.statusCode, 403, `${route.name}: ${res.statusCode} ${res.body}`);
      }
    });

    it('lets the read-only token of a permitted user through every read route', async () => {
      for (const route of routes.filter((r) => r.needs === 'read')) {
        const res = await call(route, actors.aliceRead);
        assert.ok(res.statusCode < 400, `${route.name}: ${res.statusCode} ${res.body}`);
      }
    });

    it('refuses text/plain, form and multipart bodies the client never sends with 415 in its dialect on every write route, storing nothing', async () => {
      const before = await storedState(k);
      let refused = 0;
      for (const route of [...routes, ...writes].filter((r) => writeMethods.has(r.method))) {
        for (const type of crossSiteTypes.filter((t) => !route.accepts?.includes(t))) {
          const res = await call(route, actors.aliceAll, crossSiteBody(route, type));
          assert.equal(res.statusCode, 415, `${route.name} with ${type}: ${res.statusCode} ${res.body}`);
          refusal(res, route);
          refused++;
        }
      }
      assert.ok(refused > 0, 'the setup lists write routes');
      assert.deepEqual(await storedState(k), before, 'no version, file, tag, token, blob or upload was stored or changed');
    });
  });
}
