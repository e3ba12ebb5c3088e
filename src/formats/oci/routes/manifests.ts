import type { FastifyReply, FastifyRequest } from 'fastify';
import { effectiveVisibility } from '../../../core/packages/package.js';
import { sendBlob } from '../../../delivery/blob-response.js';
import { acceptsMediaType } from '../accept-header.js';
import { looksLikeDigest, parseDigest } from '../digests.js';
import { ociError } from '../errors.js';
import type { StoredManifest } from '../manifest-index.js';
import { isValidTag } from '../names.js';
import type { ManifestReference } from '../push.js';
import { authorizedTarget, queryValues, requestBody, type RegistryContext } from './registry-context.js';

/** The spec's suggested bound on a manifest; larger ones are refused with 413. */
export const maxManifestBytes = 4 * 1024 * 1024;

/**
 * Parses a manifest reference: a digest when it has a colon, else a tag.
 * @throws KuraError DIGEST_INVALID or MANIFEST_INVALID (a tag outside `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`)
 */
function parseReference(reference: string): ManifestReference {
  if (looksLikeDigest(reference)) {
    const digest = parseDigest(reference);
    if (!digest) throw ociError('DIGEST_INVALID', `"${reference}" is not a digest sha256:<64 hex> or sha512:<128 hex>`, { digest: reference });
    return { digest };
  }
  if (!isValidTag(reference)) throw ociError('MANIFEST_INVALID', `invalid tag "${reference}": use up to 128 of letters, digits, "_", "." and "-", not starting with "." or "-"`, { tag: reference });
  return { tag: reference };
}

/** GET and HEAD `/v2/NAME/manifests/REFERENCE`, negotiated by Accept. GETs count as downloads. */
export async function getManifest(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, reference: string) {
  const { image } = await authorizedTarget(rc, request, name, 'pull');
  const ref = parseReference(reference);
  let manifest: StoredManifest | null = null;
  if (image.pkg) manifest = 'digest' in ref ? await rc.index.byDigest(image.pkg, ref.digest.text) : await rc.index.byTag(image.pkg, ref.tag);
  if (!manifest) throw ociError('MANIFEST_UNKNOWN', `manifest ${reference} is not in ${image.name.full}`, { reference });
  if (!acceptsMediaType(request.headers.accept, manifest.mediaType)) {
    throw ociError('MANIFEST_UNKNOWN', `manifest ${reference} is ${manifest.mediaType}, which the Accept header does not allow`, { reference, mediaType: manifest.mediaType });
  }
  const etag = `"${manifest.digest}"`;
  reply.header('docker-content-digest', manifest.digest);
  reply.header('etag', etag);
  reply.header('content-type', manifest.mediaType);
  reply.header('cache-control', effectiveVisibility(image.pkg!) === 'public' ? 'public, max-age=0, must-revalidate' : 'private, max-age=0, must-revalidate');
  reply.header('vary', 'Accept, Authorization');
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  reply.header('content-length', manifest.size);
  if (request.method === 'HEAD') return reply.send();
  const body = await rc.reader.open(manifest.sha256, manifest.size, undefined, { redirect: false });
  rc.ctx.downloads.record(manifest.versionId);
  return sendBlob(reply, body);
}

/** Reads a manifest body, refusing more than {@link maxManifestBytes}. */
async function readManifestBody(request: FastifyRequest): Promise<Buffer> {
  const tooLarge = () => ociError('SIZE_INVALID', `the manifest exceeds ${maxManifestBytes} bytes`, { limit: maxManifestBytes }, 'PAYLOAD_TOO_LARGE');
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxManifestBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of requestBody(request)) {
    size += chunk.byteLength;
    if (size > maxManifestBytes) throw tooLarge();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * PUT `/v2/NAME/manifests/REFERENCE[?tag=T…]`: pushes a manifest (201 with its digest, OCI-Subject
 * when it has a subject, OCI-Tag naming the `tag` parameters applied to a push by digest).
 */
export async function putManifest(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, reference: string) {
  const { caller, image } = await authorizedTarget(rc, request, name, 'push');
  const ref = parseReference(reference);
  const tagParams = 'digest' in ref ? queryValues(request, 'tag') : [];
  for (const tag of tagParams) {
    if (!isValidTag(tag)) throw ociError('MANIFEST_INVALID', `invalid tag "${tag}"`, { tag });
  }
  const body = await readManifestBody(request);
  const pushed = await rc.pusher.push(caller, image, ref, body, request.headers['content-type'], tagParams);
  if (pushed.subject) reply.header('oci-subject', pushed.subject);
  if (tagParams.length > 0) reply.header('oci-tag', tagParams.join(', '));
  return reply.status(201)
    .header('location', `/v2/${image.name.full}/manifests/${pushed.digest}`)
    .header('docker-content-digest', pushed.digest)
    .header('content-length', 0)
    .send();
}

/**
 * DELETE `/v2/NAME/manifests/REFERENCE`: a tag is removed; a digest deletes the manifest version
 * (restorable), unless a live index of the image lists it (409 DENIED: the index would break).
 */
export async function deleteManifest(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, reference: string) {
  const { caller, image } = await authorizedTarget(rc, request, name, 'delete');
  const ref = parseReference(reference);
  const pkg = image.pkg;
  if (!pkg) throw ociError('MANIFEST_UNKNOWN', `manifest ${reference} is not in ${image.name.full}`, { reference });
  if ('tag' in ref) {
    if (!(await rc.index.byTag(pkg, ref.tag))) throw ociError('MANIFEST_UNKNOWN', `tag ${ref.tag} is not in ${image.name.full}`, { reference });
    await rc.ctx.packages.removeTag(caller.principal, pkg, ref.tag);
  } else {
    const version = await rc.ctx.packages.queries.version(pkg.id, ref.digest.text);
    if (!version || version.deletedAt) throw ociError('MANIFEST_UNKNOWN', `manifest ${reference} is not in ${image.name.full}`, { reference });
    const indexes = await rc.index.listedBy(pkg.id, ref.digest.text);
    if (indexes.length > 0) {
      throw ociError('DENIED', `manifest ${reference} is listed by the index ${indexes.join(', ')} of ${image.name.full}; delete the index first`, { indexes }, 'IN_USE');
    }
    await rc.ctx.packages.deleteVersion(caller.principal, pkg, version);
  }
  return reply.status(202).header('content-length', 0).send();
}

