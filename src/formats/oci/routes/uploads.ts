import type { FastifyReply, FastifyRequest } from 'fastify';
import { ingestStream } from '../../../core/blobs/blob-ingest.js';
import { isKuraError } from '../../../core/errors/catalogue.js';
import { imageAudit, type ImageAudit } from '../audit.js';
import type { ImageKey, LinkedBlob } from '../blob-links.js';
import { parseDigest, requireDigest, type Digest } from '../digests.js';
import { ociError } from '../errors.js';
import { parseImageName } from '../names.js';
import { containerFormat, type RegistryCaller } from '../access.js';
import { blobTooLarge, type UploadSession } from '../uploads.js';
import { authorizedTarget, drainBody, hasBody, queryValue, requestBody, type RegistryContext, type Target } from './registry-context.js';

/** How many images holding a digest a mount without `from` looks at. */
const mountCandidates = 20;

function uploadLocation(name: string, id: string): string {
  return `/v2/${name}/blobs/uploads/${id}`;
}

/** `0-LAST` for the bytes received so far (`0-0` for none, as the reference registry answers). */
function rangeHeader(size: number): string {
  return `0-${Math.max(size - 1, 0)}`;
}

function sendSessionState(reply: FastifyReply, name: string, session: UploadSession, status: number) {
  return reply.status(status)
    .header('location', uploadLocation(name, session.id))
    .header('range', rangeHeader(session.size))
    .header('docker-upload-uuid', session.id)
    .header('content-length', 0)
    .send();
}

function sendCreated(reply: FastifyReply, name: string, digest: string) {
  return reply.status(201)
    .header('location', `/v2/${name}/blobs/${digest}`)
    .header('docker-content-digest', digest)
    .header('content-length', 0)
    .send();
}

/**
 * Parses `Content-Range: START-END` of a chunk; null when absent.
 * @throws KuraError RANGE_NOT_SATISFIABLE when malformed or when Content-Length disagrees.
 */
function chunkStart(request: FastifyRequest): number | null {
  const header = request.headers['content-range'];
  if (header === undefined) return null;
  const match = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(header.trim());
  if (!match || Number(match[2]) < Number(match[1])) {
    throw ociError('BLOB_UPLOAD_INVALID', `invalid Content-Range "${header}": expected START-END`, undefined, 'RANGE_NOT_SATISFIABLE');
  }
  const length = request.headers['content-length'];
  if (length !== undefined && Number(length) !== Number(match[2]) - Number(match[1]) + 1) {
    throw ociError('BLOB_UPLOAD_INVALID', `Content-Range ${header} does not match Content-Length ${length}`, undefined, 'RANGE_NOT_SATISFIABLE');
  }
  return Number(match[1]);
}

/**
 * POST `/v2/NAME/blobs/uploads/`: a cross-repository mount (`?mount=&from=`, 201, or a new
 * session when the blob cannot be mounted), a monolithic upload (`?digest=`, 201), or a new
 * upload session (202).
 */
export async function startUpload(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string) {
  const { caller, image, key } = await authorizedTarget(rc, request, name, 'push');
  const audit = imageAudit(rc.ctx, caller.principal, image);
  const mount = queryValue(request, 'mount');
  const digestParam = queryValue(request, 'digest');
  if (mount !== undefined) {
    const digest = parseDigest(mount);
    const mounted = digest ? await mountBlob(rc, caller, key, digest, queryValue(request, 'from'), audit) : null;
    if (mounted) {
      await drainBody(request);
      return sendCreated(reply, image.name.full, mounted.digest);
    }
  } else if (digestParam !== undefined) {
    const digest = requireDigest(digestParam, 'the digest parameter');
    const maxBytes = rc.ctx.limits.maxBlobBytes;
    if (declaredLength(request) > maxBytes) throw blobTooLarge(maxBytes);
    const staged = await ingestStream(rc.ctx.blobs.store, requestBody(request), { extraDigests: digest.algorithm === 'sha512' ? ['sha512'] : [], maxBytes })
      .catch((error: unknown) => {
        throw isKuraError(error) && error.code === 'PAYLOAD_TOO_LARGE' ? blobTooLarge(maxBytes) : error;
      });
    const actual = digest.algorithm === 'sha256' ? staged.sha256 : staged.digests.sha512;
    if (actual !== digest.hex) {
      await staged.cancel();
      throw ociError('DIGEST_INVALID', `the uploaded bytes have digest ${digest.algorithm}:${actual}, not ${digest.text}`, { digest: digest.text });
    }
    await staged.commit();
    await rc.ctx.blobs.records.record({ sha256: staged.sha256, size: staged.size, sha512: staged.digests.sha512 ?? null });
    await rc.ctx.db.transaction().execute(async (trx) => {
      await rc.links.link(key, digest, { sha256: staged.sha256, size: staged.size }, trx);
      await audit(trx, 'container.blob.push', { digest: digest.text, size: staged.size });
    });
    return sendCreated(reply, image.name.full, digest.text);
  }
  await drainBody(request);
  const session = await rc.uploads.create(key, caller.principal.kind === 'user' ? caller.principal.user.id : null, audit);
  return sendSessionState(reply, image.name.full, session, 202);
}

/**
 * Links an existing blob into `target` when the caller may read an image holding it: `from`
 * when given, else any image holding that digest the caller may read. Null when it cannot.
 */
async function mountBlob(rc: RegistryContext, caller: RegistryCaller, target: ImageKey, digest: Digest, from: string | undefined, audit: ImageAudit): Promise<LinkedBlob | null> {
  const here = await rc.links.find(target, digest.text);
  let source: LinkedBlob | null = here;
  if (!source && from !== undefined) {
    try {
      const image = await rc.access.resolve(caller.principal, parseImageName(from));
      if (await rc.access.permits(caller.principal, image, 'pull')) source = await rc.links.find({ ownerId: image.owner.id, image: image.name.image }, digest.text);
    } catch {
      source = null;
    }
  } else if (!source) {
    for (const holder of await rc.links.holders(digest.text, mountCandidates)) {
      const owner = await rc.ctx.owners.findById(holder.ownerId);
      if (!owner) continue;
      const pkg = await rc.ctx.packages.queries.find(containerFormat, owner.login, holder.image);
      const image = { name: { owner: owner.login.toLowerCase(), image: holder.image, full: `${owner.login.toLowerCase()}/${holder.image}` }, owner, pkg };
      if (await rc.access.permits(caller.principal, image, 'pull')) {
        source = holder;
        break;
      }
    }
  }
  if (!source) return null;
  await rc.ctx.blobs.records.touch([source.sha256]);
  if (!(await rc.ctx.blobs.store.stat(source.sha256))) return null;
  if (!here) {
    await rc.ctx.db.transaction().execute(async (trx) => {
      await rc.links.link(target, digest, { sha256: source.sha256, size: source.size }, trx);
      await audit(trx, 'container.blob.mount', { digest: digest.text, size: source.size, ...(from !== undefined ? { from } : {}) });
    });
  }
  return source;
}

/** The request's Content-Length, 0 when it has none. */
function declaredLength(request: FastifyRequest): number {
  const length = Number(request.headers['content-length']);
  return Number.isFinite(length) ? length : 0;
}

/**
 * Appends the request's chunk to `session` within the body size limit; a blob that would grow
 * past it can never complete, so its session is dropped with its bytes.
 * @throws KuraError PAYLOAD_TOO_LARGE (SIZE_INVALID), plus what {@link UploadSessions.append} throws
 */
async function appendChunk(rc: RegistryContext, request: FastifyRequest, target: Target, session: UploadSession): Promise<number> {
  const maxBytes = rc.ctx.limits.maxBlobBytes;
  const start = chunkStart(request);
  try {
    if (session.size + declaredLength(request) > maxBytes) throw blobTooLarge(maxBytes);
    return await rc.uploads.append(session, start, requestBody(request), maxBytes);
  } catch (error) {
    if (isKuraError(error) && error.code === 'PAYLOAD_TOO_LARGE') {
      await rc.uploads.cancel(session, imageAudit(rc.ctx, target.caller.principal, target.image));
    }
    throw error;
  }
}

/** PATCH `/v2/NAME/blobs/uploads/ID`: appends a chunk (Content-Range must continue the upload). */
export async function patchUpload(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, id: string) {
  const target = await authorizedTarget(rc, request, name, 'push');
  const { image, key } = target;
  const session = await rc.uploads.find(key, id);
  try {
    session.size = await appendChunk(rc, request, target, session);
  } catch (error) {
    if (isKuraError(error) && error.code === 'PAYLOAD_TOO_LARGE') throw error;
    reply.header('location', uploadLocation(image.name.full, session.id)).header('range', rangeHeader(session.size)).header('docker-upload-uuid', session.id);
    throw error;
  }
  return sendSessionState(reply, image.name.full, session, 202);
}

/** PUT `/v2/NAME/blobs/uploads/ID?digest=`: appends an optional last chunk and completes the blob. */
export async function finishUpload(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, id: string) {
  const target = await authorizedTarget(rc, request, name, 'push');
  const { caller, image, key } = target;
  const session = await rc.uploads.find(key, id);
  const digest = requireDigest(queryValue(request, 'digest'), 'the digest parameter');
  if (hasBody(request)) session.size = await appendChunk(rc, request, target, session);
  await rc.uploads.finish(session, digest, imageAudit(rc.ctx, caller.principal, image), (trx, blob) => rc.links.link(key, digest, blob, trx));
  return sendCreated(reply, image.name.full, digest.text);
}

/** GET `/v2/NAME/blobs/uploads/ID`: where the upload stands (204 with Range). */
export async function uploadStatus(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, id: string) {
  const { image, key } = await authorizedTarget(rc, request, name, 'push');
  return sendSessionState(reply, image.name.full, await rc.uploads.find(key, id), 204);
}

/** DELETE `/v2/NAME/blobs/uploads/ID`: cancels the upload. */
export async function cancelUpload(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, id: string) {
  const { caller, image, key } = await authorizedTarget(rc, request, name, 'push');
  await rc.uploads.cancel(await rc.uploads.find(key, id), imageAudit(rc.ctx, caller.principal, image));
  return reply.status(204).send();
}
