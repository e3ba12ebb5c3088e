import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { Principal } from '../../../core/access/principal.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { packageSubject, type PackageRecord } from '../../../core/packages/package.js';
import type { FormatContext } from '../../contract.js';
import { readSmallText } from '../../shared/small-body.js';
import { parseNpmName, type NpmName } from '../names.js';
import type { PackumentCache } from '../packument-cache.js';

/** What every npm route shares. */
export interface NpmRoutesContext {
  ctx: FormatContext;
  cache: PackumentCache;
}

const maxSmallBody = 1024 * 1024;

/** The request body as a stream: every npm route reads its own body, after access checks. */
export function bodyOf(request: FastifyRequest): Readable {
  return request.body as Readable;
}

/** Reads a small JSON request body (dist-tag values, logins) fully; bounded by `limit`. */
export async function readSmallJson(stream: Readable, limit = maxSmallBody): Promise<unknown> {
  const text = await readSmallText(stream, limit);
  try {
    return JSON.parse(text);
  } catch {
    throw new KuraError('MALFORMED_JSON', 'the request body is not valid JSON');
  }
}

/**
 * The caller and the live package a path names, for a route whose core call decides access
 * itself. A missing package answers like a private one (access decides: 401 to anonymous
 * callers, 404 to signed-in ones).
 * @throws KuraError UNAUTHENTICATED, NOT_FOUND
 */
export async function existingPackage(nc: NpmRoutesContext, request: FastifyRequest, name: NpmName): Promise<{ pkg: PackageRecord; principal: Principal }> {
  const principal = await nc.ctx.authenticate(request);
  const pkg = await nc.ctx.packages.queries.find('npm', name.scope, name.full.toLowerCase());
  if (!pkg) return nc.ctx.access.authorize(principal, 'read', { kind: 'missing', label: `npm package ${name.full}` });
  return { pkg, principal };
}

/**
 * {@link existingPackage}, once access allows `action` on it.
 * @throws KuraError UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, MISSING_SCOPE
 */
export async function authorizedPackage(nc: NpmRoutesContext, request: FastifyRequest, name: NpmName, action: 'read' | 'write' | 'delete'): Promise<{ pkg: PackageRecord; principal: Principal }> {
  const found = await existingPackage(nc, request, name);
  await nc.ctx.access.authorize(found.principal, action, packageSubject(found.pkg));
  return found;
}

/** The encoded path after `prefix`, without the query. */
export function rawPath(url: string, prefix: string): string {
  const path = url.split('?')[0]!;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path.replace(/^\/+/, '');
}

/**
 * Parses `/npm/-/package/NAME/dist-tags[/TAG]`; the tag as sent (a tag being set is checked with
 * `parseDistTag`, one being removed only has to exist). @throws KuraError NOT_FOUND, BAD_REQUEST, INVALID_NAME
 */
export function distTagPath(url: string): { name: NpmName; tag: string | null } {
  const rest = rawPath(url, '/npm/-/package/');
  const match = /^(.+?)\/dist-tags(?:\/([^/]+))?\/?$/.exec(rest);
  if (!match) throw new KuraError('NOT_FOUND', 'expected /-/package/NAME/dist-tags[/TAG]');
  let decoded: string;
  let tag: string | null;
  try {
    decoded = decodeURIComponent(match[1]!.replace(/%2f/gi, '/'));
    tag = match[2] ? decodeURIComponent(match[2]) : null;
  } catch {
    throw new KuraError('BAD_REQUEST', 'malformed percent-encoding');
  }
  return { name: parseNpmName(decoded), tag };
}
