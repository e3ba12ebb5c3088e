import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noBody, type AcceptedBodies } from '../../../delivery/accepted-bodies.js';
import { RegistryAccess } from '../access.js';
import { noteRealm } from '../challenge.js';
import { BlobLinks } from '../blob-links.js';
import { ociError } from '../errors.js';
import { ManifestIndex } from '../manifest-index.js';
import { manifestKinds, schema1MediaTypes } from '../media-types.js';
import { ManifestPusher } from '../push.js';
import type { ContainerContext } from '../tables.js';
import { RegistryTokens } from '../token.js';
import { UploadSessions } from '../uploads.js';
import { issueToken, ping } from './base.js';
import { deleteBlob, getBlob } from './blobs.js';
import { deleteManifest, getManifest, putManifest } from './manifests.js';
import { listReferrers } from './referrers.js';
import type { RegistryContext } from './registry-context.js';
import { parseRegistryPath } from './registry-path.js';
import { listTags } from './tags.js';
import { cancelUpload, finishUpload, patchUpload, startUpload, uploadStatus } from './uploads.js';

/** The distribution spec's endpoints at `/v2/`, dispatched by path since image names contain slashes. */
export async function registerRegistryRoutes(app: FastifyInstance, ctx: ContainerContext): Promise<void> {
  const tokens = new RegistryTokens(ctx);
  const links = new BlobLinks(ctx.db, ctx.now);
  const index = new ManifestIndex(ctx);
  const rc: RegistryContext = {
    ctx, tokens, links, index,
    access: new RegistryAccess(ctx, tokens),
    uploads: new UploadSessions(ctx),
    pusher: new ManifestPusher(ctx, links, index),
    reader: ctx.blobs.reader,
  };

  // Bodies (blobs of any size, manifests) are streamed by the handlers after access checks.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.addHook('onRequest', (request, reply, done) => {
    noteRealm(request, ctx.urls.absolute(request, '/v2/token'));
    reply.header('docker-distribution-api-version', 'registry/2.0');
    done();
  });

  app.get('/', (request, reply) => ping(rc, request, reply));
  app.get('/token', (request, reply) => issueToken(rc, request, reply));

  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/*',
    config: { acceptedBodies: registryBodies },
    handler: (request, reply) => dispatch(rc, request, reply),
  });
}

/** skopeo, podman, buildah, oras, containerd and Docker send blob bytes (monolithic, chunks, last chunks) as octets. */
const blobBytes: AcceptedBodies = { types: ['application/octet-stream'], what: 'blob bytes' };
/** A manifest comes as its media type; schema 1 is let through to be refused with its own message. */
const manifestBodies: AcceptedBodies = { types: [...manifestKinds.keys(), ...schema1MediaTypes], what: 'a manifest' };

/**
 * The bodies each write endpoint accepts. Upload starts and mounts, upload finishes without a
 * last chunk and deletes carry none.
 */
function registryBodies(request: FastifyRequest): AcceptedBodies {
  const kind = parseRegistryPath(request.url)?.kind;
  if ((kind === 'uploads' || kind === 'upload') && request.method !== 'DELETE') return blobBytes;
  if (kind === 'manifest' && request.method === 'PUT') return manifestBodies;
  return noBody;
}

function dispatch(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply) {
  const path = parseRegistryPath(request.url);
  const method = request.method;
  const read = method === 'GET' || method === 'HEAD';
  switch (path?.kind) {
    case 'blob':
      if (read) return getBlob(rc, request, reply, path.name, path.digest);
      if (method === 'DELETE') return deleteBlob(rc, request, reply, path.name, path.digest);
      break;
    case 'uploads':
      if (method === 'POST') return startUpload(rc, request, reply, path.name);
      break;
    case 'upload':
      if (method === 'PATCH') return patchUpload(rc, request, reply, path.name, path.id);
      if (method === 'PUT') return finishUpload(rc, request, reply, path.name, path.id);
      if (method === 'GET') return uploadStatus(rc, request, reply, path.name, path.id);
      if (method === 'DELETE') return cancelUpload(rc, request, reply, path.name, path.id);
      break;
    case 'manifest':
      if (read) return getManifest(rc, request, reply, path.name, path.reference);
      if (method === 'PUT') return putManifest(rc, request, reply, path.name, path.reference);
      if (method === 'DELETE') return deleteManifest(rc, request, reply, path.name, path.reference);
      break;
    case 'tags':
      if (method === 'GET') return listTags(rc, request, reply, path.name);
      break;
    case 'referrers':
      if (method === 'GET') return listReferrers(rc, request, reply, path.name, path.digest);
      break;
    case undefined:
      throw ociError('NAME_UNKNOWN', `no registry endpoint at ${request.url.split('?')[0]}`);
  }
  throw ociError('UNSUPPORTED', `${method} is not supported on ${request.url.split('?')[0]}`);
}
