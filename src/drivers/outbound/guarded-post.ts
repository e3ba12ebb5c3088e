import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { bareHost, isIpLiteral, refusedAddress, urlPort, type AllowedHosts } from '../../core/webhooks/address-rules.js';

/**
 * POSTs to URLs that outsiders chose (webhooks) without letting them reach what only the server
 * can: every target, the first and each redirect, is resolved, and refused when any of its
 * addresses is loopback, private, link-local (the cloud metadata service) or otherwise not public,
 * unless the operator allowed the host. The connection goes to the address that was checked (a
 * pinned lookup), so a name that resolves differently a moment later (DNS rebinding) cannot
 * switch it.
 */

/** A target the guard refused; not worth retrying. */
export class RefusedTarget extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedTarget';
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * The address to connect to for `url`, once every address of its host passed the rules.
 * @throws RefusedTarget when one is refused; Error when the name does not resolve
 */
export async function checkTarget(url: URL, allowed: AllowedHosts, resolve: Resolver = systemResolver): Promise<ResolvedAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RefusedTarget(`refused ${url.protocol.replace(/:$/, '')} URL: only http and https are sent to`);
  const host = bareHost(url.hostname);
  const port = urlPort(url);
  let addresses: ResolvedAddress[];
  if (isIpLiteral(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      throw new Error(`could not resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (addresses.length === 0) throw new Error(`could not resolve ${host}: no addresses`);
  }
  if (!allowed.allows(host, port)) {
    for (const { address } of addresses) {
      const refused = refusedAddress(address);
      if (refused && !allowed.allows(address, port)) {
        const what = address === host ? `${address} is` : `${host} resolves to ${address},`;
        throw new RefusedTarget(`refused: ${what} a ${refused.rule} address (${refused.range}); KURA_WEBHOOK_ALLOWED_HOSTS can allow ${host}:${port}`);
      }
    }
  }
  return addresses[0]!;
}

export interface GuardedPost {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  allowed: AllowedHosts;
  /** Per request (each redirect has its own). */
  timeoutMs: number;
  /** Skip certificate checks (a webhook's `insecure_ssl`). */
  insecureTls?: boolean;
  maxRedirects?: number;
  /** How much of the response body is kept. */
  maxResponseBytes?: number;
  signal?: AbortSignal;
  resolve?: Resolver;
}

/** What a guarded POST did: the final response, or why there was none. */
export interface GuardedOutcome {
  /** The URL the final request went to. */
  url: string;
  /** Redirect targets followed, in order. */
  redirects: string[];
  startedAt: string;
  durationMs: number;
  requestHeaders: Record<string, string>;
  statusCode: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  error: string | null;
  /** The guard refused the target (retrying will not help). */
  refused: boolean;
}

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
  location: string | null;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

/** One POST to `url`, connected to `target` only. */
function postOnce(url: URL, target: ResolvedAddress, request: GuardedPost): Promise<Response> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  const limit = request.maxResponseBytes ?? 64 * 1024;
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, response?: Response) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(response!);
    };
    const req = client.request({
      protocol: url.protocol,
      hostname: bareHost(url.hostname),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(request.body.length) },
      auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
      lookup: pinned,
      agent: false,
      rejectUnauthorized: !request.insecureTls,
      signal: request.signal,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no complete response within ${request.timeoutMs / 1000} s`)), request.timeoutMs);
    req.on('error', (error) => finish(error));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const body = Buffer.concat(chunks).subarray(0, limit).toString('utf8');
        const location = typeof res.headers.location === 'string' ? res.headers.location : null;
        finish(null, { status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body, location });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= limit) done();
      });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.end(request.body);
  });
}

/**
 * POSTs `body` to `url` through the guard, following up to `maxRedirects` redirects (each
 * target checked the same way, the same request sent again). Never throws: failures are in the
 * outcome's `error`.
 */
export async function guardedPost(request: GuardedPost): Promise<GuardedOutcome> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const redirects: string[] = [];
  let url = new URL(request.url);
  const outcome = (fields: Partial<GuardedOutcome>): GuardedOutcome => ({
    url: url.toString(), redirects, startedAt, durationMs: Math.round(performance.now() - started), requestHeaders: request.headers,
    statusCode: null, responseHeaders: null, responseBody: null, error: null, refused: false, ...fields,
  });
  const maxRedirects = request.maxRedirects ?? 3;
  for (;;) {
    let response: Response;
    try {
      const target = await checkTarget(url, request.allowed, request.resolve);
      response = await postOnce(url, target, request);
    } catch (error) {
      const refused = error instanceof RefusedTarget;
      const message = (error as Error).message || String(error);
      const detail = refused && redirects.length > 0 ? `redirect to ${url.toString()} ${message}` : message;
      return outcome({ error: detail, refused });
    }
    if (!redirectStatuses.has(response.status) || !response.location) {
      return outcome({ statusCode: response.status, responseHeaders: response.headers, responseBody: response.body });
    }
    if (redirects.length >= maxRedirects) {
      return outcome({ statusCode: response.status, responseHeaders: response.headers, responseBody: response.body, error: `more than ${maxRedirects} redirects` });
    }
    let next: URL;
    try {
      next = new URL(response.location, url);
    } catch {
      return outcome({ statusCode: response.status, responseHeaders: response.headers, responseBody: response.body, error: `redirect to an invalid URL: ${response.location}` });
    }
    url = next;
    redirects.push(url.toString());
  }
}
