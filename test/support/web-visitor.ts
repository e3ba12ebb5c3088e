import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestKura } from './harness.js';

/**
 * A browser's cookies for one Kura, driven through `inject`: what a visitor sends, the CSRF token
 * of the last page it read, and sign-in through the /login form.
 */
export class WebVisitor {
  private readonly cookies = new Map<string, string>();
  /** The `csrf` field of the last page read that had a form. */
  csrf = '';

  constructor(private readonly k: TestKura) {}

  /** A visitor signed in as `login` with `password` through the sign-in form. */
  static async signedIn(k: TestKura, login: string, password: string): Promise<WebVisitor> {
    const visitor = new WebVisitor(k);
    await visitor.get('/login');
    const res = await visitor.postForm('/login', { login, password });
    assert.equal(res.statusCode, 303, `signing in as ${login}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    await visitor.get('/settings/tokens');
    return visitor;
  }

  /** GETs `url` with the visitor's cookies, keeping the cookies and CSRF token it answers with. */
  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.send({ method: 'GET', url, headers });
  }

  /** POSTs `fields` as a form with the page's CSRF token (unless `fields` names its own `csrf`). */
  postForm(url: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries({ csrf: this.csrf, ...fields })) for (const v of [value].flat()) body.append(key, v);
    return this.send({ method: 'POST', url, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  }

  /** Sends a request with the visitor's cookies and remembers what it sets. */
  async send(options: InjectOptions & { headers?: Record<string, string> }): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.k.app.inject({ ...options, headers: { ...(cookie ? { cookie } : {}), ...options.headers } });
    for (const set of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const cleared = set.value === '' || set.maxAge === 0 || (set.expires !== undefined && set.expires.getTime() <= Date.now());
      if (cleared) this.cookies.delete(set.name);
      else this.cookies.set(set.name, set.value);
    }
    const csrf = /name="csrf" value="([^"]+)"/.exec(res.body);
    if (csrf) this.csrf = csrf[1]!;
    return res;
  }
}
