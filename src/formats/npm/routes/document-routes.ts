import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { effectiveVisibility, type PackageRecord } from '../../../core/packages/package.js';
import { sendBlob } from '../../../delivery/blob-response.js';
import { prepareRange, startsAtFirstByte } from '../../../delivery/byte-range.js';
import { parseNpmName } from '../names.js';
import type { PackumentEntry } from '../packument-cache.js';
import { parseNpmPath, type NpmPath } from '../request-path.js';
import { authorizedPackage, rawPath, type NpmRoutesContext } from './npm-routes-context.js';

const abbreviatedType = 'application/vnd.npm.install-v1+json';

/** What `npm install` reads: packuments (full and abbreviated), one version's document, tarballs. */
export function registerDocumentRoutes(app: FastifyInstance, nc: NpmRoutesContext): void {
  const { ctx, cache } = nc;

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: async (request, reply) => {
      const path = parseNpmPath(rawPath(request.url, '/npm/'));
      if (!path) throw new KuraError('NOT_FOUND', 'not found');
      const name = parseNpmName(path.name);
      const { pkg } = await authorizedPackage(nc, request, name, 'read');
      const entry = await cache.get(pkg, ctx.urls.base(request));
      if (path.kind === 'package') return sendPackument(request, reply, pkg, entry);
      if (path.kind === 'version') return versionDocument(entry, name.full, path.spec);
      if (path.kind === 'tarball') return sendTarball(request, reply, pkg, entry, path);
      throw new KuraError('METHOD_NOT_ALLOWED', `${request.method} is not supported here`);
    },
  });

  async function sendTarball(request: FastifyRequest, reply: FastifyReply, pkg: PackageRecord, entry: PackumentEntry, path: Extract<NpmPath, { kind: 'tarball' }>) {
    const file = entry.files.get(path.file);
    if (!file) throw new KuraError('NOT_FOUND', `${pkg.name} has no tarball ${path.file}`);
    const etag = `"${file.sha256}"`;
    reply.header('etag', etag);
    reply.header('content-type', 'application/octet-stream');
    reply.header('cache-control', effectiveVisibility(pkg) === 'public' ? 'public, max-age=31536000, immutable' : 'private, max-age=31536000, immutable');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    const range = prepareRange(request, reply, file.size);
    if (request.method === 'HEAD') return reply.send();
    if (startsAtFirstByte(range)) ctx.downloads.record(file.versionId);
    return sendBlob(reply, await ctx.blobs.reader.open(file.sha256, file.size, range));
  }
}

/** The packument in the representation the client asked for (abbreviated for npm's install Accept), with ETag/304 and gzip. */
function sendPackument(request: FastifyRequest, reply: FastifyReply, pkg: PackageRecord, entry: PackumentEntry) {
  const accept = request.headers.accept ?? '';
  const abbreviated = accept.includes(abbreviatedType);
  const rendered = abbreviated ? entry.abbreviated : entry.full;
  const etag = abbreviated ? entry.abbreviatedEtag : entry.etag;
  reply.header('etag', etag);
  reply.header('vary', 'Accept, Accept-Encoding, Authorization');
  reply.header('cache-control', effectiveVisibility(pkg) === 'public' ? 'public, max-age=0, must-revalidate' : 'private, max-age=0, must-revalidate');
  reply.header('content-type', abbreviated ? `${abbreviatedType}; charset=utf-8` : 'application/json; charset=utf-8');
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
    reply.header('content-encoding', 'gzip');
    return reply.send(rendered.gzip);
  }
  return reply.send(rendered.identity);
}

/** One version's document, by version or dist-tag. @throws KuraError NOT_FOUND */
function versionDocument(entry: PackumentEntry, fullName: string, spec: string): unknown {
  const full = JSON.parse(entry.full.identity.toString('utf8')) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string> };
  const version = full['dist-tags'][spec] ?? spec;
  const doc = full.versions[version];
  if (!doc) throw new KuraError('NOT_FOUND', `${fullName} has no version or tag "${spec}"`);
  return doc;
}
