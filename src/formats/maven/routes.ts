import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BlobContent } from '../../core/blobs/blob-reader.js';
import type { ByteRange } from '../../core/blobs/blob-store.js';
import { KuraError } from '../../core/errors/catalogue.js';
import { effectiveVisibility, type PackageRecord } from '../../core/packages/package.js';
import { accepting, noBody, type AcceptedBodies } from '../../delivery/accepted-bodies.js';
import { sendBlob } from '../../delivery/blob-response.js';
import { prepareRange, startsAtFirstByte } from '../../delivery/byte-range.js';
import type { FormatContext } from '../contract.js';
import { splitChecksumSuffix } from './checksums.js';
import { contentTypeFor } from './content-types.js';
import { MavenDeployer } from './deploy.js';
import { metadataFileName, parseRepositoryTarget, splitMavenPath } from './repository-path.js';
import { RepositoryReader, type RepositoryResource } from './repository-reader.js';
import { ScopeResolver } from './repository-scope.js';

const mountPrefix = '/maven/';

/** mvn (wagon) sends its files with no Content-Type, Gradle as application/octet-stream. */
const deployBodies: AcceptedBodies = { types: ['application/octet-stream'], untyped: true, what: 'a file of the repository' };

/** The encoded path after the mount point, without the query. */
function rawPath(url: string): string {
  const path = url.split('?')[0]!;
  return path.startsWith(mountPrefix) ? path.slice(mountPrefix.length) : '';
}

const httpDate = (iso: string): string => new Date(iso).toUTCString();

function cacheControl(pkg: PackageRecord): string {
  return `${effectiveVisibility(pkg) === 'public' ? 'public' : 'private'}, max-age=0, must-revalidate`;
}

/**
 * The Maven repository protocol at `/maven/OWNER/REPO/` (and the owner-wide read view):
 * GET and HEAD of files, checksums and generated `maven-metadata.xml`; PUT of files, checksums
 * and client metadata, as mvn deploy and Gradle's maven-publish send them.
 */
export async function registerMavenRoutes(app: FastifyInstance, ctx: FormatContext): Promise<void> {
  const scopes = new ScopeResolver(ctx);
  const reader = new RepositoryReader(ctx, scopes);
  const deployer = new MavenDeployer(ctx);
  const blobs = ctx.blobs.reader;

  // Bodies are streamed by the handlers, after access checks.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const body = (request: FastifyRequest): Readable => (request.body as Readable | undefined) ?? request.raw;

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: async (request, reply) => {
      const path = splitMavenPath(rawPath(request.url));
      const principal = await ctx.authenticate(request);
      const { scope, segments } = await scopes.forRead(principal, path);
      const target = parseRepositoryTarget(segments);
      if (!target) return scopes.missing(principal, scope, `/${segments.join('/')}`);
      return send(request, reply, await reader.resolve(principal, scope, target));
    },
  });

  app.put('/*', accepting(deployBodies), async (request, reply) => {
    const path = splitMavenPath(rawPath(request.url));
    const principal = await ctx.authenticate(request);
    const { scope, segments } = await scopes.forWrite(principal, path);
    const target = parseRepositoryTarget(segments);
    if (!target) {
      const last = splitChecksumSuffix(segments[segments.length - 1] ?? '');
      if (last.base !== metadataFileName) {
        throw new KuraError('BAD_REQUEST', `/${segments.join('/')} is not a file in the Maven layout: expected GROUP/PATH/ARTIFACT/VERSION/FILE`);
      }
      // Group-level metadata (plugin prefixes) is accepted like any client metadata.
      await deployer.acceptClientMetadata(principal, scope, last.algorithm, body(request));
      return reply.status(200).type('text/plain; charset=utf-8').send('group metadata accepted; Kura does not store it\n');
    }
    if (target.kind !== 'file') {
      await deployer.acceptClientMetadata(principal, scope, target.checksum, body(request));
      return reply.status(200).type('text/plain; charset=utf-8').send('maven-metadata.xml accepted; Kura generates it from the stored files\n');
    }
    const deployTarget = { principal, scope, coordinates: target.coordinates, version: target.version };
    if (target.checksum) {
      await deployer.verifyChecksum(deployTarget, target.fileName, target.checksum, body(request));
      return reply.status(200).type('text/plain; charset=utf-8').send(`${target.checksum} verified\n`);
    }
    const declared = request.headers['content-length'] === undefined ? null : Number(request.headers['content-length']);
    const outcome = await deployer.putFile(deployTarget, target.fileName, body(request), Number.isFinite(declared) ? declared : null);
    return reply.status(outcome === 'unchanged' ? 200 : 201).type('text/plain; charset=utf-8').send(`${target.fileName} ${outcome}\n`);
  });

  app.route({
    method: ['DELETE', 'POST', 'PATCH'],
    url: '/*',
    config: { acceptedBodies: noBody },
    handler: async (request) => {
      throw new KuraError('METHOD_NOT_ALLOWED', `${request.method} is not part of the Maven repository protocol; delete versions through the REST API`);
    },
  });

  /** Answers a resolved read: headers for every kind, a body unless HEAD or a matching ETag. */
  async function send(request: FastifyRequest, reply: FastifyReply, resource: RepositoryResource): Promise<FastifyReply> {
    reply.header('cache-control', cacheControl(resource.pkg));
    reply.header('vary', 'Authorization');
    let etag: string;
    let payload: (range: ByteRange | undefined) => Promise<BlobContent>;
    let length: number;
    if (resource.kind === 'stored') {
      const { file } = resource;
      etag = `"${file.sha256}"`;
      length = file.size;
      reply.header('content-type', file.contentType ?? contentTypeFor(file.name));
      reply.header('last-modified', httpDate(file.createdAt));
      reply.header('x-checksum-sha256', file.sha256);
      if (file.sha1) reply.header('x-checksum-sha1', file.sha1);
      if (file.md5) reply.header('x-checksum-md5', file.md5);
      payload = (range) => blobs.open(file.sha256, file.size, range);
    } else {
      const bytes = resource.kind === 'generated' ? resource.bytes : Buffer.from(resource.digest, 'utf8');
      etag = `"${createHash('sha256').update(bytes).digest('hex')}"`;
      length = bytes.length;
      reply.header('content-type', resource.kind === 'generated' ? 'application/xml; charset=utf-8' : 'text/plain; charset=utf-8');
      reply.header('last-modified', httpDate(resource.lastModified));
      payload = async (range) => (range ? bytes.subarray(range.start, range.end + 1) : bytes);
    }
    reply.header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    const range = prepareRange(request, reply, length);
    if (request.method === 'HEAD') return reply.send();
    if (resource.kind === 'stored' && resource.isDownload && startsAtFirstByte(range)) ctx.downloads.record(resource.file.versionId);
    return sendBlob(reply, await payload(range));
  }
}
