import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { startTestKura, type TestKura } from '../support/harness.js';

/** Tokens of the suite's actors. alice owns the private target; bob is signed in but unrelated. */
export interface SecurityActors {
  /** alice, `read:packages` only. */
  aliceRead: string;
  /** alice, every scope. */
  aliceAll: string;
  /** bob, every scope, no permission on alice's things. */
  bob: string;
}

/** One route of a format or the API, addressing something PRIVATE of alice. */
export interface SecuredRoute {
  name: string;
  method: NonNullable<InjectOptions['method']>;
  url: string;
  payload?: InjectOptions['payload'];
  headers?: Record<string, string>;
  /** The permission the route needs on the target. */
  needs: 'read' | 'write' | 'delete';
  /** The challenge an anonymous caller must get with the 401 (`WWW-Authenticate`). */
  challenge: RegExp;
  /** How the actor's token is sent; default `Authorization: Bearer`. */
  sendToken?: (token: string) => Record<string, string>;
}

export interface SecuritySetup {
  routes: SecuredRoute[];
}

/**
 * The shared security suite (DESIGN §1), run over every route of a format or the API:
 * anonymous → 401 with the client's challenge; a signed-in user who may not read → 404;
 * a read-only token on a write or delete route → 403. `setup` creates alice's private target
 * (alice and bob already exist) and lists the routes.
 */
export function securitySuite(title: string, setup: (k: TestKura, actors: SecurityActors) => Promise<SecuritySetup>): void {
  describe(`security: ${title}`, () => {
    let k: TestKura;
    let actors: SecurityActors;
    let routes: SecuredRoute[] = [];

    before(async () => {
      k = await startTestKura();
      const alice = await k.user('alice');
      const bob = await k.user('bob');
      actors = { aliceAll: alice.token, aliceRead: await k.token('alice', ['read:packages']), bob: bob.token };
      routes = (await setup(k, actors)).routes;
      assert.ok(routes.length > 0, 'the setup lists routes');
    });
    after(() => k.close());

    const call = (route: SecuredRoute, token: string | null) => {
      const auth = token === null ? {} : route.sendToken ? route.sendToken(token) : { authorization: `Bearer ${token}` };
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
  });
}
