import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { KuraError } from '../core/errors/catalogue.js';

/**
 * The bodies one write endpoint accepts, named by the media types its real clients send.
 * A request with neither a `Content-Type` nor body bytes always passes (deletes, restores,
 * container upload starts); what it may do without a body is the handler's business.
 */
export interface AcceptedBodies {
  /** Media types (`type/subtype`, lower case); parameters such as `charset` or `boundary` are not compared. */
  types: readonly string[];
  /** Whether body bytes may come without a `Content-Type` (Maven's wagon sends none). Never on POST. */
  untyped?: boolean;
  /** What the body is, for the refusal message: "a .gem file". */
  what?: string;
}

/**
 * A route's declaration: one rule, or a rule chosen per request where one route serves several
 * endpoints (the container registry dispatches by path).
 */
export type BodyDeclaration = AcceptedBodies | ((request: FastifyRequest) => AcceptedBodies);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The bodies a write route accepts; see {@link guardWriteBodies}. */
    acceptedBodies?: BodyDeclaration;
  }
}

/** A write that takes no body: any typed or non-empty body is refused. */
export const noBody: AcceptedBodies = { types: [] };

/** JSON documents (npm's writes, the REST API). */
export const jsonBody: AcceptedBodies = { types: ['application/json'], what: 'a JSON document' };

/** Route options declaring what a route accepts: `app.put(url, accepting(jsonBody), handler)`. */
export function accepting(bodies: BodyDeclaration): { config: { acceptedBodies: BodyDeclaration } } {
  return { config: { acceptedBodies: bodies } };
}

const writeMethods: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The media types a cross-site page can send without a CORS preflight (the Fetch standard's
 * CORS-safelisted `Content-Type` values), which a browser sends along with the cookies and
 * cached Basic credentials it holds for Kura.
 */
const crossSiteTypes: ReadonlySet<string> = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * Guards every write route of `scope` by the bodies it accepts. The contract:
 *
 * - Every POST, PUT, PATCH and DELETE route registered on `scope` after this call declares its
 *   {@link AcceptedBodies} (`config.acceptedBodies`, see {@link accepting}), or gets `fallback`.
 *   A route with neither fails registration: the server does not start.
 * - A POST route may not accept a cross-site type (text/plain, form-urlencoded, multipart) nor
 *   untyped bodies, since a page on another site can POST those without a preflight; a static
 *   declaration that does fails registration, and a per-request rule is held to it at request time.
 * - Before the body is parsed, buffered or streamed, and before authentication (an `onRequest`
 *   hook), a request is refused with UNSUPPORTED_MEDIA_TYPE (415), which the scope's error handler
 *   renders in its client's dialect, when its `Content-Type` names a media type the route does not
 *   accept, or when it carries body bytes without a `Content-Type` and the route does not take
 *   untyped bodies. Nothing of a refused request is read or stored.
 */
export function guardWriteBodies(scope: FastifyInstance, fallback?: AcceptedBodies): void {
  scope.addHook('onRoute', (route) => {
    const methods = [route.method].flat().map((m) => m.toUpperCase());
    if (!methods.some((m) => writeMethods.has(m))) return;
    const declared = route.config?.acceptedBodies ?? fallback;
    if (!declared) throw new Error(`${methods.join(',')} ${route.url}: a write route declares the bodies it accepts (config.acceptedBodies)`);
    if (typeof declared !== 'function' && methods.includes('POST') && !crossSiteSafe(declared)) {
      const unsafe = [...declared.types.filter((t) => crossSiteTypes.has(t)), ...(declared.untyped ? ['untyped bodies'] : [])];
      throw new Error(`POST ${route.url}: a POST route cannot accept ${unsafe.join(' or ')}: a cross-site page can send them`);
    }
    const guard: onRequestAsyncHookHandler = async (request) => {
      if (!writeMethods.has(request.method)) return;
      const rule = typeof declared === 'function' ? declared(request) : declared;
      refuseUnaccepted(request, request.method === 'POST' ? crossSiteSafeOnly(rule) : rule);
    };
    route.onRequest = [...[route.onRequest ?? []].flat(), guard];
  });
}

function crossSiteSafe(rule: AcceptedBodies): boolean {
  return !rule.untyped && !rule.types.some((t) => crossSiteTypes.has(t));
}

function crossSiteSafeOnly(rule: AcceptedBodies): AcceptedBodies {
  return crossSiteSafe(rule) ? rule : { ...rule, types: rule.types.filter((t) => !crossSiteTypes.has(t)), untyped: false };
}

/** @throws KuraError UNSUPPORTED_MEDIA_TYPE when `request`'s body is not one `rule` accepts. */
function refuseUnaccepted(request: FastifyRequest, rule: AcceptedBodies): void {
  const header = request.headers['content-type'];
  if (header === undefined) {
    if (rule.untyped || !carriesBytes(request)) return;
    throw refusal(rule, 'a body without a Content-Type');
  }
  const type = header.split(';')[0]!.trim().toLowerCase();
  if (!rule.types.includes(type)) throw refusal(rule, type || 'an empty Content-Type');
}

/** Whether the request carries body bytes: a positive Content-Length, or a chunked body. */
function carriesBytes(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) !== 0;
  return request.headers['transfer-encoding'] !== undefined;
}

function refusal(rule: AcceptedBodies, sent: string): KuraError {
  const types = rule.types.length > 0 ? rule.types.join(' or ') : 'no body';
  const expected = rule.what && rule.types.length > 0 ? `${rule.what} (${types})` : types;
  return new KuraError('UNSUPPORTED_MEDIA_TYPE', `expected ${expected}, not ${sent}`, { accepted: [...rule.types] });
}
