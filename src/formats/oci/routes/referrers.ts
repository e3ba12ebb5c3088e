import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseDigest } from '../digests.js';
import { ociError } from '../errors.js';
import { mediaTypes } from '../media-types.js';
import { authorizedTarget, queryValue, type RegistryContext } from './registry-context.js';

/**
 * GET `/v2/NAME/referrers/DIGEST[?artifactType=T]`: an OCI index of the manifests whose
 * subject is DIGEST (empty when there are none, or the image has no manifests yet).
 */
export async function listReferrers(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string, reference: string) {
  const { image } = await authorizedTarget(rc, request, name, 'pull');
  const digest = parseDigest(reference);
  if (!digest) throw ociError('DIGEST_INVALID', `"${reference}" is not a digest`, { digest: reference });
  const artifactType = queryValue(request, 'artifactType') ?? null;
  const manifests = image.pkg ? await rc.index.referrers(image.pkg.id, digest.text, artifactType) : [];
  if (artifactType !== null) reply.header('oci-filters-applied', 'artifactType');
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests }));
  return reply.header('content-type', mediaTypes.ociIndex).send(body);
}
