import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { Principal } from '../../core/access/principal.js';
import { KuraError } from '../../core/errors/catalogue.js';
import { effectiveVisibility, packageTarget, type PackageRecord } from '../../core/packages/package.js';
import { PackageQueries } from '../../core/packages/package-queries.js';
import { sendBlob } from '../../delivery/blob-response.js';
import { prepareRange, startsAtFirstByte } from '../../delivery/byte-range.js';
import type { FormatContext } from '../contract.js';
import { parseNpmName, type NpmName } from './names.js';
import { PackumentCache, type PackumentEntry } from './packument-cache.js';
import { parsePublishBody } from './publish-body.js';
import { publishNpmVersion } from './publish.js';
import { parseNpmPath } from './request-path.js';
import { inspectTarball } from './tarball.js';

const abbreviatedType = 'application/vnd.npm.install-v1+json';
const maxSmallBody = 1024 * 1024;
const maxMetadataBytes = 16 * 1024 * 1024;

/** Reads a small request body (dist-tag values, logins) fully; bounded by `limit`. */
async function readSmallJson(stream: Readable, limit = maxSmallBody): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new KuraError('PAYLOAD_TOO_LARGE', `the request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new KuraError('MALFORMED_JSON', 'the request body is not valid JSON');
  }
}

/** The npm registry protocol (npm 11, yarn 1 and 4, pnpm) at the format's mount path. */
export async function registerNpmRoutes(app: FastifyInstance, ctx: FormatContext): Promise<void> {
  const { core } = ctx;
  const queries = new PackageQueries(core.deps.db);
  const cache = new PackumentCache(queries);
  const reader = core.blobReader;
  const mountPrefix = '/npm/';

  // Bodies are read by the handlers, after access checks, as streams.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  const body = (request: FastifyRequest): Readable => request.body as Readable;

  /**
   * The caller and the live package a path names. A missing package answers like a private one:
   * 401 to anonymous callers, 404 to signed-in ones.
   */
  async function existingPackage(request: FastifyRequest, name: NpmName, verb: string): Promise<{ pkg: PackageRecord; principal: Principal }> {
    const principal = await ctx.authenticate(request);
    const pkg = await queries.find('npm', name.scope, name.full.toLowerCase());
    if (!pkg) {
      throw principal.kind === 'anonymous'
        ? new KuraError('UNAUTHENTICATED', `authentication required to ${verb} ${name.full}`)
        : new KuraError('NOT_FOUND', `npm package ${name.full} not found`);
    }
    return { pkg, principal };
  }

  /** The package a path names, if it exists and the caller may read it. */
  async function readablePackage(request: FastifyRequest, name: NpmName): Promise<{ pkg: PackageRecord; principal: Principal }> {
    const found = await existingPackage(request, name, 'read');
    await core.access.authorizePackage(found.principal, 'read', packageTarget(found.pkg));
    return found;
  }

  function sendRendered(request: FastifyRequest, reply: FastifyReply, pkg: PackageRecord, entry: PackumentEntry) {
    const accept = request.headers.accept ?? '';
    const abbreviated = accept.includes(abbreviatedType);
    const rendered = abbreviated ? entry.abbreviated : entry.full;
    const etag = abbreviated ? entry.etag.replace(/"$/, '-a"') : entry.etag;
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

  app.get('/-/ping', async () => ({}));

  app.get('/-/whoami', async (request) => {
    const principal = await ctx.authenticate(request);
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', 'not logged in: run npm login or set an _authToken');
    return { username: principal.user.login };
  });

  app.put('/-/user/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const login = decodeURIComponent(id).replace(/^org\.couchdb\.user:/, '');
    const doc = (await readSmallJson(body(request))) as { name?: unknown; password?: unknown };
    if (typeof doc?.password !== 'string' || typeof doc.name !== 'string') {
      throw new KuraError('BAD_REQUEST', 'a login needs "name" and "password"; accounts are created by an admin with `kura user create`');
    }
    if (doc.name.toLowerCase() !== login.toLowerCase()) throw new KuraError('NAME_MISMATCH', 'the user name in the body differs from the URL');
    const user = await core.owners.checkPassword(login, doc.password);
    if (!user) throw new KuraError('UNAUTHENTICATED', 'incorrect username or password (accounts are created by an admin with `kura user create`)');
    const { token } = await core.tokens.create({ userId: user.id, name: 'npm login', scopes: ['read:packages', 'write:packages', 'delete:packages'] }, user.id);
    return reply.status(201).send({ ok: `you are authenticated as '${user.login}'`, id: `org.couchdb.user:${user.login}`, token });
  });

  app.delete('/-/user/token/*', async (request) => {
    const principal = await ctx.authenticate(request);
    if (principal.kind !== 'user' || principal.tokenId === null) throw new KuraError('UNAUTHENTICATED', 'not logged in');
    await core.tokens.revoke(principal.tokenId, principal.user.id, principal.user.id);
    return { ok: 'logged out' };
  });

  app.post('/-/v1/login', async () => {
    throw new KuraError('NOT_FOUND', 'web login is not supported: use npm login --auth-type=legacy, or a token from `kura token create`');
  });

  const emptyAudit = async () => ({});
  app.post('/-/npm/v1/security/advisories/bulk', emptyAudit);
  app.post('/-/npm/v1/security/audits/quick', emptyAudit);

  app.get('/-/v1/search', async (request) => {
    const principal = await ctx.authenticate(request);
    const query = request.query as { text?: string; size?: string; from?: string };
    const size = Math.min(Math.max(Number(query.size) || 20, 1), 250);
    const from = Math.max(Number(query.from) || 0, 0);
    const text = (query.text ?? '').trim();
    const candidates = await queries.search('npm', text, 1000);
    const visible: PackageRecord[] = [];
    for (const pkg of candidates) if (await core.access.canReadPackage(principal, packageTarget(pkg))) visible.push(pkg);
    const page = visible.slice(from, from + size);
    const base = ctx.urls.base(request);
    const objects = await Promise.all(page.map(async (pkg) => {
      const entry = await cache.get(pkg, base);
      const doc = JSON.parse(entry.abbreviated.identity.toString('utf8')) as { 'dist-tags': Record<string, string> };
      const name = parseNpmName(pkg.name);
      return {
        package: {
          name: pkg.name,
          scope: name.scope,
          version: doc['dist-tags']['latest'] ?? null,
          description: pkg.description ?? '',
          date: pkg.updatedAt,
          links: { npm: `${base}/${pkg.ownerLogin}/-/packages/npm/${encodeURIComponent(pkg.name)}`, ...(pkg.repo ? { repository: `${base}/${pkg.repo.fullName}` } : {}) },
          publisher: { username: pkg.ownerLogin },
          // npm search reads `maintainers` of every result and fails without the array.
          maintainers: [{ username: pkg.ownerLogin }],
        },
        score: { final: 1, detail: { quality: 1, popularity: 1, maintenance: 1 } },
        searchScore: 1,
      };
    }));
    return { objects, total: visible.length, time: new Date().toUTCString() };
  });

  app.get('/-/package/*', async (request) => {
    const { name, tag } = distTagPath(request.url);
    if (tag !== null) throw new KuraError('METHOD_NOT_ALLOWED', 'GET a dist-tag list at /-/package/NAME/dist-tags');
    const { pkg } = await readablePackage(request, name);
    const entry = await cache.get(pkg, ctx.urls.base(request));
    return (JSON.parse(entry.abbreviated.identity.toString('utf8')) as { 'dist-tags': Record<string, string> })['dist-tags'];
  });

  app.put('/-/package/*', async (request, reply) => {
    const { name, tag } = distTagPath(request.url);
    if (!tag) throw new KuraError('BAD_REQUEST', 'PUT /-/package/NAME/dist-tags/TAG with the version as a JSON string');
    const { pkg, principal } = await readablePackage(request, name);
    await core.access.authorizePackage(principal, 'write', packageTarget(pkg));
    const version = await readSmallJson(body(request));
    if (typeof version !== 'string') throw new KuraError('BAD_REQUEST', 'the body must be the version as a JSON string, e.g. "1.0.0"');
    await core.packages.setTag(principal, pkg, tag, version);
    return reply.status(201).send({ ok: `dist-tag ${tag} set to ${version}` });
  });

  app.delete('/-/package/*', async (request) => {
    const { name, tag } = distTagPath(request.url);
    if (!tag) throw new KuraError('BAD_REQUEST', 'DELETE /-/package/NAME/dist-tags/TAG');
    if (tag === 'latest') throw new KuraError('BAD_REQUEST', 'the latest dist-tag cannot be removed; point it at another version instead');
    const { pkg, principal } = await readablePackage(request, name);
    await core.packages.removeTag(principal, pkg, tag);
    return { ok: `dist-tag ${tag} removed` };
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: async (request, reply) => {
      const path = parseNpmPath(rawPath(request.url, mountPrefix));
      if (!path) throw new KuraError('NOT_FOUND', 'not found');
      const name = parseNpmName(path.name);
      const { pkg } = await readablePackage(request, name);
      const base = ctx.urls.base(request);
      const entry = await cache.get(pkg, base);
      if (path.kind === 'package') return sendRendered(request, reply, pkg, entry);
      if (path.kind === 'version') {
        const full = JSON.parse(entry.full.identity.toString('utf8')) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string> };
        const version = full['dist-tags'][path.spec] ?? path.spec;
        const doc = full.versions[version];
        if (!doc) throw new KuraError('NOT_FOUND', `${name.full} has no version or tag "${path.spec}"`);
        return doc;
      }
      if (path.kind === 'tarball') {
        const file = entry.files.get(path.file);
        if (!file) throw new KuraError('NOT_FOUND', `${name.full} has no tarball ${path.file}`);
        const etag = `"${file.sha256}"`;
        reply.header('etag', etag);
        reply.header('content-type', 'application/octet-stream');
        reply.header('cache-control', effectiveVisibility(pkg) === 'public' ? 'public, max-age=31536000, immutable' : 'private, max-age=31536000, immutable');
        if (request.headers['if-none-match'] === etag) return reply.status(304).send();
        const range = prepareRange(request, reply, file.size);
        if (request.method === 'HEAD') return reply.send();
        if (startsAtFirstByte(range)) core.downloads.record(file.versionId);
        return sendBlob(reply, await reader.open(file.sha256, file.size, range));
      }
      throw new KuraError('METHOD_NOT_ALLOWED', `${request.method} is not supported here`);
    },
  });

  app.put('/*', async (request, reply) => {
    const path = parseNpmPath(rawPath(request.url, mountPrefix));
    if (!path || (path.kind !== 'package' && path.kind !== 'rev')) throw new KuraError('NOT_FOUND', 'not found');
    const name = parseNpmName(path.name);
    const principal = await ctx.authenticate(request);
    if (principal.kind !== 'user') throw new KuraError('UNAUTHENTICATED', `authentication required to publish ${name.full}`);
    const owner = await core.owners.find(name.scope);
    if (!owner) throw new KuraError('NOT_FOUND', `no user or organization named "${name.scope}" (the scope of an npm package is its owner)`);
    const existing = await queries.find('npm', name.scope, name.full.toLowerCase(), true);
    // Refuse early what can be refused before reading the body; the core decides with the
    // parsed metadata (a repository link may grant write on a new package).
    if (existing) await core.access.authorizePackage(principal, 'write', packageTarget(existing));
    else core.access.requireScope(principal, 'write:packages', `publish ${name.full}`);
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > ctx.config.maxBodyBytes) {
      throw new KuraError('PAYLOAD_TOO_LARGE', `the request body (${declared} bytes) exceeds the limit of ${ctx.config.maxBodyBytes} bytes`);
    }
    const parsed = await parsePublishBody(body(request), core.deps.blobs, {
      maxBodyBytes: ctx.config.maxBodyBytes,
      maxMetadataBytes,
      inspect: inspectTarball,
    });
    try {
      if (parsed.attachments.size > 0) {
        const result = await publishNpmVersion({ core, principal, owner, name, document: parsed.document, attachments: parsed.attachments });
        return reply.status(201).send({ ok: result.created ? 'created new package' : 'created new version', success: true });
      }
      if (!existing || existing.deletedAt) throw new KuraError('NOT_FOUND', `npm package ${name.full} not found`);
      await updatePackage(principal, existing, name, parsed.document);
      return reply.status(200).send({ ok: 'package updated', success: true });
    } finally {
      for (const attachment of parsed.attachments.values()) await attachment.blob.cancel();
    }
  });

  app.delete('/*', async (request) => {
    const path = parseNpmPath(rawPath(request.url, mountPrefix));
    if (!path) throw new KuraError('NOT_FOUND', 'not found');
    const name = parseNpmName(path.name);
    const { pkg, principal } = await existingPackage(request, name, 'unpublish');
    if (path.kind === 'rev' || path.kind === 'package') {
      await core.packages.deletePackage(principal, pkg);
      return { ok: `${name.full} unpublished` };
    }
    if (path.kind === 'tarball-rev' || path.kind === 'tarball') {
      // npm deletes the tarball after the version was removed from the document: nothing is left to do.
      await core.access.authorizePackage(principal, 'delete', packageTarget(pkg));
      return { ok: 'tarball removed' };
    }
    throw new KuraError('METHOD_NOT_ALLOWED', `${request.method} is not supported here`);
  });

  /**
   * Applies a document PUT without attachments, as `npm deprecate` and `npm unpublish` send it:
   * changed `deprecated` messages, and versions missing from the document are unpublished.
   */
  async function updatePackage(principal: Principal, pkg: PackageRecord, name: NpmName, document: Record<string, unknown>): Promise<void> {
    if (document['name'] !== undefined && document['name'] !== name.full) {
      throw new KuraError('NAME_MISMATCH', `the document names "${String(document['name'])}" but the URL names "${name.full}"`);
    }
    const versions = document['versions'];
    if (!versions || typeof versions !== 'object' || Array.isArray(versions)) {
      throw new KuraError('INVALID_MANIFEST', 'the document has no "versions" object');
    }
    const sent = versions as Record<string, { deprecated?: unknown } | undefined>;
    const live = await queries.versions(pkg.id);
    const deprecations = new Map<string, string | null>();
    const removed = live.filter((v) => !(v.version in sent));
    for (const version of live) {
      const doc = sent[version.version];
      if (!doc) continue;
      const message = typeof doc.deprecated === 'string' && doc.deprecated !== '' ? doc.deprecated : null;
      if (message !== version.deprecated) deprecations.set(version.version, message);
    }
    if (deprecations.size > 0) await core.packages.setDeprecation(principal, pkg, deprecations);
    for (const version of removed) {
      const current = (await queries.findById(pkg.id))!;
      await core.packages.deleteVersion(principal, current, version);
    }
  }
}

/** The encoded path after the mount prefix, without the query. */
function rawPath(url: string, prefix: string): string {
  const path = url.split('?')[0]!;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path.replace(/^\/+/, '');
}

/** Parses `/npm/-/package/NAME/dist-tags[/TAG]`. */
function distTagPath(url: string): { name: NpmName; tag: string | null } {
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
  if (tag !== null && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(tag)) throw new KuraError('BAD_REQUEST', `invalid dist-tag "${tag}"`);
  if (tag !== null && /^v?\d+\.\d+\.\d+/.test(tag)) throw new KuraError('BAD_REQUEST', `a dist-tag cannot look like a version ("${tag}")`);
  return { name: parseNpmName(decoded), tag };
}

