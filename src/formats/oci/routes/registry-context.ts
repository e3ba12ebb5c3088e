import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { BlobReader } from '../../../core/blobs/blob-reader.js';
import type { RegistryAccess, RegistryCaller, ResolvedImage } from '../access.js';
import type { BlobLinks, ImageKey } from '../blob-links.js';
import type { ManifestIndex } from '../manifest-index.js';
import { parseImageName } from '../names.js';
import type { ManifestPusher } from '../push.js';
import type { ContainerContext } from '../tables.js';
import type { ImageAction, RegistryTokens } from '../token.js';
import type { UploadSessions } from '../uploads.js';

/** Everything the registry's route handlers share. */
export interface RegistryContext {
  ctx: ContainerContext;
  access: RegistryAccess;
  tokens: RegistryTokens;
  links: BlobLinks;
  uploads: UploadSessions;
  index: ManifestIndex;
  pusher: ManifestPusher;
  reader: BlobReader;
}

/** A request's caller and the image it may act on. */
export interface Target {
  caller: RegistryCaller;
  image: ResolvedImage;
  key: ImageKey;
}

/**
 * Parses the image name, resolves the caller and the image, and allows `action` or throws the
 * error to answer with (NAME_INVALID, UNAUTHORIZED, NAME_UNKNOWN, DENIED).
 */
export async function authorizedTarget(rc: RegistryContext, request: FastifyRequest, name: string, action: ImageAction): Promise<Target> {
  const parsed = parseImageName(name);
  const caller = await rc.access.caller(request);
  const image = await rc.access.resolve(caller.principal, parsed);
  await rc.access.authorize(caller, image, action);
  return { caller, image, key: { ownerId: image.owner.id, image: parsed.image } };
}

/** The request body as a stream of bytes (empty when there is none). */
export function requestBody(request: FastifyRequest): AsyncIterable<Uint8Array> {
  return (request.body as Readable | undefined) ?? emptyBody();
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

/** Reads and drops a body nobody needs, so the connection can be reused. */
export async function drainBody(request: FastifyRequest): Promise<void> {
  for await (const _chunk of requestBody(request)) {
    // discarded
  }
}

/** Whether the request carries body bytes (a positive Content-Length or a chunked body). */
export function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return request.headers['transfer-encoding'] !== undefined;
}

/** The first value of a query parameter. */
export function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Every value of a query parameter. */
export function queryValues(request: FastifyRequest, name: string): string[] {
  const value = (request.query as Record<string, string | string[] | undefined>)[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
