import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ByteRange } from '../../../core/blobs/blob-store.js';
import { effectiveVisibility } from '../../../core/packages/package.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { sendBlob } from '../../../delivery/blob-response.js';
import { prepareRange } from '../../../delivery/byte-range.js';
import { imageAudit } from '../audit.js';
import { parseDigest } from '../digests.js';
import { ociError } from '../errors.js';
import { authorizedTarget, type RegistryContext } from './registry-context.js';

/** GET and HEAD `/v2/NAME/blobs/DIGEST`, with single byte ranges. */
export async function getBlob(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, reference: string) {
  const { image, key } = await authorizedTarget(rc, request, name, 'pull');
  const digest = parseDigest(reference);
  if (!digest) throw ociError('DIGEST_INVALID', `"${reference}" is not a digest`, { digest: reference });
  const blob = await rc.links.find(key, digest.text);
  const info = blob ? await rc.ctx.blobs.store.stat(blob.sha256) : null;
  if (!blob || !info) throw ociError('BLOB_UNKNOWN', `blob ${digest.text} is not in ${image.name.full}`, { digest: digest.text });
  reply.header('docker-content-digest', digest.text);
  reply.header('etag', `"${digest.text}"`);
  reply.header('cache-control', image.pkg && effectiveVisibility(image.pkg) === 'public' ? 'public, max-age=31536000, immutable' : 'private, max-age=31536000, immutable');
  reply.type('application/octet-stream');
  let range: ByteRange | undefined;
  try {
    range = prepareRange(request, reply, info.size);
  } catch (error) {
    if (error instanceof KuraError && error.code === 'RANGE_NOT_SATISFIABLE') throw ociError('BLOB_UNKNOWN', error.message, { size: info.size }, 'RANGE_NOT_SATISFIABLE');
    throw error;
  }
  if (request.method === 'HEAD') return reply.send();
  return sendBlob(reply, await rc.reader.open(blob.sha256, info.size, range));
}

/** DELETE `/v2/NAME/blobs/DIGEST`: removes the blob from the image (bytes go at the next GC). */
export async function deleteBlob(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, reference: string) {
  const { caller, image, key } = await authorizedTarget(rc, request, name, 'delete');
  const digest = parseDigest(reference);
  if (!digest) throw ociError('DIGEST_INVALID', `"${reference}" is not a digest`, { digest: reference });
  const audit = imageAudit(rc.ctx, caller.principal, image);
  await rc.ctx.db.transaction().execute(async (trx) => {
    if (!(await rc.links.unlink(key, digest.text, trx))) throw ociError('BLOB_UNKNOWN', `blob ${digest.text} is not in ${image.name.full}`, { digest: digest.text });
    await audit(trx, 'container.blob.delete', { digest: digest.text });
  });
  return reply.status(202).header('content-length', 0).send();
}
