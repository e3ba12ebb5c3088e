import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/access/principal.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { Owner } from '../../core/owners/owner.js';
import { effectiveVisibility, packageSubject, type PackageRecord } from '../../core/packages/package.js';
import { accepting, type AcceptedBodies } from '../../delivery/accepted-bodies.js';
import { sendBlob } from '../../delivery/blob-response.js';
import { prepareRange, startsAtFirstByte } from '../../delivery/byte-range.js';
import { ifNoneMatch } from '../../delivery/conditional.js';
import { dependenciesBytes } from './dependency-api.js';
import { quickSpecBytes } from './gem-marshal.js';
import { GemIndex, namesFile, specsFile, versionsFile, type PackageIndex, type SpecsKind } from './gem-index.js';
import type { GemSpec } from './gemspec.js';
import { gemNameKey, parseGemName } from './names.js';
import { readSmallText } from '../shared/small-body.js';
import { pushGem } from './push.js';
import type { RubygemsContext } from './tables.js';

const maxFormBytes = 64 * 1024;
/** `gem push` POSTs the raw .gem; `gem yank` sends a form with a DELETE (never a cross-site form). */
const pushBodies: AcceptedBodies = { types: ['application/octet-stream'], what: 'a .gem file' };
const yankBodies: AcceptedBodies = { types: ['application/x-www-form-urlencoded'], what: 'a form' };
/** The `created_at` header of `/versions` (Bundler reads only the lines after `---`). */
const versionsCreatedAt = '2024-01-01T00:00:00Z';
const specsFiles: Record<string, SpecsKind> = {
  'specs.4.8.gz': 'specs',
  'latest_specs.4.8.gz': 'latest_specs',
  'prerelease_specs.4.8.gz': 'prerelease_specs',
};

/**
 * The RubyGems protocol per owner at `/rubygems/OWNER/`: `gem push` and `gem yank` (the API),
 * the full index `gem install` reads (Marshal specs files, quick specs, gems) and the compact
 * index Bundler reads (`/versions`, `/info/NAME`, `/names`).
 */
export async function registerRubygemsRoutes(app: FastifyInstance, ctx: RubygemsContext): Promise<void> {
  const index = new GemIndex(ctx);

  // Bodies (gems of any size, yank forms) are read by the handlers, after access checks.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const body = (request: FastifyRequest): Readable => (request.body as Readable | undefined) ?? request.raw;
  const ownerParam = (request: FastifyRequest) => (request.params as { owner: string }).owner;

  /** The owner a path names. @throws KuraError UNAUTHENTICATED, NOT_FOUND as access decides */
  async function ownerOf(principal: Principal, login: string): Promise<Owner> {
    const owner = await ctx.owners.find(login);
    if (owner) return owner;
    return ctx.access.authorize(principal, 'read', { kind: 'missing', label: `gems of ${login}`, notFound: `no user or organization named "${login}"` });
  }

  /** Every gem of `owner` that `principal` may read, with its index part. */
  async function readableParts(principal: Principal, owner: Owner): Promise<PackageIndex[]> {
    const packages: PackageRecord[] = [];
    for (const pkg of await ctx.packages.queries.listByOwner(owner.id, { format: ctx.formatId })) {
      if (await ctx.access.permits(principal, 'read', packageSubject(pkg))) packages.push(pkg);
    }
    return index.parts(packages);
  }

  /**
   * An owner-wide index file listing the gems the caller may read. What anonymous callers see is
   * built once per owner fingerprint; a signed-in caller's view is assembled from the cached
   * per-gem parts.
   */
  async function ownerIndexFile(request: FastifyRequest, name: string, build: (parts: readonly PackageIndex[]) => Buffer) {
    const principal = await ctx.authenticate(request);
    const owner = await ownerOf(principal, ownerParam(request));
    if (principal.kind === 'anonymous') {
      const fingerprint = await ctx.packages.queries.ownerFingerprint(owner.id, ctx.formatId);
      const bytes = await index.ownerFile(owner.id, fingerprint, name, async () => build(await readableParts(principal, owner)));
      return { bytes, visibility: 'public' as const };
    }
    const parts = await readableParts(principal, owner);
    return { bytes: build(parts), visibility: anyPrivate(parts) };
  }

  /** The gem `name` of the owner, once the caller may read it. */
  async function readableGem(request: FastifyRequest, name: string): Promise<PackageRecord> {
    const principal = await ctx.authenticate(request);
    const owner = await ownerOf(principal, ownerParam(request));
    const pkg = await ctx.packages.queries.find(ctx.formatId, owner.login, gemNameKey(name));
    if (!pkg) return ctx.access.authorize(principal, 'read', { kind: 'missing', label: `gem ${name}`, notFound: `This gem could not be found: ${name}` });
    await ctx.access.authorize(principal, 'read', packageSubject(pkg));
    return pkg;
  }

  /** The live gem file `fileName` (`NAME-VERSION[-PLATFORM].gem`) of the owner, once the caller may read it. */
  async function readableGemFile(request: FastifyRequest, fileName: string) {
    const principal = await ctx.authenticate(request);
    const owner = await ownerOf(principal, ownerParam(request));
    const row = await ctx.db.selectFrom('rubygems_gems').selectAll().where('owner_id', '=', owner.id).where('file_name', '=', fileName).executeTakeFirst();
    const pkg = row ? await ctx.packages.queries.findById(row.package_id) : null;
    if (!row || !pkg || pkg.deletedAt) return ctx.access.authorize(principal, 'read', { kind: 'missing', label: fileName, notFound: `${fileName} not found` });
    await ctx.access.authorize(principal, 'read', packageSubject(pkg));
    const gem = (await index.part(pkg)).gems.find((g) => g.id === row.id);
    if (!gem) throw new KuraError('NOT_FOUND', `${fileName} was yanked`);
    return { pkg, gem };
  }

  /**
   * Sends generated bytes with an MD5 ETag (what Bundler checks), the SHA-256 of the whole file as
   * Repr-Digest and Digest (Bundler 2.5+ verifies a file it appended a 206 to against it, as
   * rubygems.org sends it), If-None-Match and single ranges.
   */
  function sendIndexFile(request: FastifyRequest, reply: FastifyReply, bytes: Buffer, type: string, visibility: 'public' | 'private') {
    const { etag, sha256 } = digestsOf(bytes);
    reply.header('etag', etag);
    reply.header('repr-digest', `sha-256=:${sha256}:`);
    reply.header('digest', `sha-256=${sha256}`);
    reply.header('cache-control', `${visibility}, max-age=0, must-revalidate`);
    reply.header('vary', 'Authorization');
    reply.type(type);
    if (ifNoneMatch(request.headers['if-none-match'], etag)) return reply.status(304).send();
    const range = prepareRange(request, reply, bytes.length);
    if (request.method === 'HEAD') return reply.send();
    return sendBlob(reply, range ? bytes.subarray(range.start, range.end + 1) : bytes);
  }

  const anyPrivate = (parts: readonly PackageIndex[]): 'public' | 'private' => (parts.some((p) => effectiveVisibility(p.pkg) === 'private') ? 'private' : 'public');

  app.post('/:owner/api/v1/gems', accepting(pushBodies), async (request, reply) => {
    const principal = await ctx.authenticate(request);
    const owner = await ownerOf(principal, ownerParam(request));
    await ctx.access.authorize(principal, 'write', { kind: 'new-package', owner, repo: 'pending', label: `gems of ${owner.login}` });
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > ctx.limits.maxBodyBytes) {
      throw new KuraError('PAYLOAD_TOO_LARGE', `the gem (${declared} bytes) exceeds the limit of ${ctx.limits.maxBodyBytes} bytes`);
    }
    const spec = await pushGem(ctx, principal, owner, body(request));
    return reply.type('text/plain; charset=utf-8').send(`Successfully registered gem: ${spec.name} (${versionLabel(spec)})`);
  });

  app.delete('/:owner/api/v1/gems/yank', accepting(yankBodies), async (request, reply) => {
    const principal = await ctx.authenticate(request);
    const owner = await ownerOf(principal, ownerParam(request));
    const form = new URLSearchParams(await readSmallText(body(request), maxFormBytes));
    const name = parseGemName(form.get('gem_name') ?? '');
    const version = form.get('version') ?? '';
    const pkg = await ctx.packages.queries.find(ctx.formatId, owner.login, gemNameKey(name));
    if (!pkg) return ctx.access.authorize(principal, 'delete', { kind: 'missing', label: `gem ${name}`, notFound: `This gem could not be found: ${name}` });
    const stored = await ctx.packages.queries.version(pkg.id, version);
    await ctx.access.authorize(principal, 'delete', packageSubject(pkg));
    if (!stored || stored.deletedAt) throw new KuraError('NOT_FOUND', `The version ${version} of ${name} does not exist or was already yanked.`);
    // As on rubygems.org, a yank names one platform's gem (ruby when none is given).
    const platform = form.get('platform') || 'ruby';
    const listed = (await index.part(pkg)).gems.filter((g) => g.versionId === stored.id);
    const gem = listed.find((g) => g.platform === platform);
    if (!gem) throw new KuraError('NOT_FOUND', `The version ${version} of ${name} has no ${platform} gem, or it was already yanked.`);
    // The version's last gem takes the version with it, restorably; otherwise that gem's file goes.
    if (listed.length === 1) await ctx.packages.deleteVersion(principal, pkg, stored);
    else await ctx.packages.removeFiles(principal, pkg, stored, [gem.fileName]);
    return reply.type('text/plain; charset=utf-8').send(`Successfully deleted gem: ${name} (${platform === 'ruby' ? version : `${version}-${platform}`})`);
  });

  app.route({ method: ['GET', 'HEAD'], url: '/:owner', handler: ownerRoot });
  app.route({ method: ['GET', 'HEAD'], url: '/:owner/', handler: ownerRoot });
  async function ownerRoot(request: FastifyRequest, reply: FastifyReply) {
    const principal = await ctx.authenticate(request);
    await ownerOf(principal, ownerParam(request));
    return reply.type('text/plain; charset=utf-8').send('RubyGems repository: gem install --source, or a Gemfile source block\n');
  }

  app.route({
    method: ['GET', 'HEAD'],
    url: '/:owner/:file',
    handler: async (request, reply) => {
      const { file } = request.params as { file: string };
      const kind = specsFiles[file];
      const build = kind ? (parts: readonly PackageIndex[]) => specsFile(parts, kind)
        : file === 'versions' ? (parts: readonly PackageIndex[]) => versionsFile(parts, versionsCreatedAt)
          : file === 'names' ? namesFile : null;
      if (build) {
        const { bytes, visibility } = await ownerIndexFile(request, file, build);
        return sendIndexFile(request, reply, bytes, kind ? 'application/octet-stream' : 'text/plain; charset=utf-8', visibility);
      }
      throw new KuraError('NOT_FOUND', `no RubyGems endpoint /${file}`);
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/:owner/info/:name',
    handler: async (request, reply) => {
      const pkg = await readableGem(request, parseGemName((request.params as { name: string }).name));
      const part = await index.part(pkg);
      if (part.gems.length === 0) throw new KuraError('NOT_FOUND', `This gem could not be found: ${pkg.name}`);
      return sendIndexFile(request, reply, part.info, 'text/plain; charset=utf-8', effectiveVisibility(pkg));
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/:owner/gems/:file',
    handler: async (request, reply) => {
      const { file } = request.params as { file: string };
      if (!file.endsWith('.gem')) throw new KuraError('NOT_FOUND', `${file} is not a gem file`);
      const { pkg, gem } = await readableGemFile(request, file);
      reply.header('etag', `"${gem.sha256}"`);
      reply.header('cache-control', `${effectiveVisibility(pkg)}, max-age=31536000, immutable`);
      reply.type('application/octet-stream');
      if (ifNoneMatch(request.headers['if-none-match'], `"${gem.sha256}"`)) return reply.status(304).send();
      const range = prepareRange(request, reply, gem.size);
      if (request.method === 'HEAD') return reply.send();
      if (startsAtFirstByte(range)) ctx.downloads.record(gem.versionId);
      return sendBlob(reply, await ctx.blobs.reader.open(gem.sha256, gem.size, range));
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/:owner/quick/Marshal.4.8/:file',
    handler: async (request, reply) => {
      const { file } = request.params as { file: string };
      if (!file.endsWith('.gemspec.rz')) throw new KuraError('NOT_FOUND', `${file} is not a quick gemspec`);
      const { pkg, gem } = await readableGemFile(request, `${file.slice(0, -'.gemspec.rz'.length)}.gem`);
      const bytes = index.quickSpec(gem, () => deflateSync(quickSpecBytes(storedSpec(gem.spec))));
      return sendIndexFile(request, reply, bytes, 'application/octet-stream', effectiveVisibility(pkg));
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/:owner/api/v1/dependencies',
    handler: async (request, reply) => {
      const names = String((request.query as { gems?: string }).gems ?? '').split(',').map((n) => n.trim()).filter(Boolean);
      if (names.length === 0) {
        await ownerOf(await ctx.authenticate(request), ownerParam(request));
        return reply.type('application/octet-stream').send(Buffer.alloc(0));
      }
      const wanted = new Set(names.map(gemNameKey));
      const principal = await ctx.authenticate(request);
      const parts = (await readableParts(principal, await ownerOf(principal, ownerParam(request)))).filter((p) => wanted.has(gemNameKey(p.pkg.name)) && p.gems.length > 0);
      // Gems the caller may not read are left out, as unknown ones are; when none is left, the
      // answer is what a private or missing gem gets (401 with the challenge, or 404).
      if (parts.length === 0) {
        return ctx.access.authorize(principal, 'read', { kind: 'missing', label: `gems ${names.join(', ')}`, notFound: `These gems could not be found: ${names.join(', ')}` });
      }
      const gems = parts.flatMap((p) => p.gems).map((g) => ({ spec: JSON.parse(g.spec) as GemSpec, platform: g.platform }));
      return reply.type('application/octet-stream').send(dependenciesBytes(gems.map(({ spec, platform }) => ({
        name: spec.name, number: spec.version, platform,
        dependencies: spec.dependencies.filter((d) => d.type === 'runtime').map((d) => [d.name, d.requirement.map(([op, v]) => `${op} ${v}`).join(', ')] as [string, string]),
      }))));
    },
  });
}

/** A specification as stored at push (JSON), with its date a Date again (only the top-level one: metadata keys are the gem's). */
function storedSpec(json: string): GemSpec {
  const spec = JSON.parse(json) as Omit<GemSpec, 'date'> & { date: string };
  return { ...spec, date: new Date(spec.date) };
}

const versionLabel = (spec: Pick<GemSpec, 'version' | 'platform'>) => (spec.platform === 'ruby' ? spec.version : `${spec.version}-${spec.platform}`);

const digests = new WeakMap<Buffer, { etag: string; sha256: string }>();

/**
 * The quoted MD5 of an index file (Bundler compares it with its copy) and its base64 SHA-256,
 * remembered for the cached files.
 */
function digestsOf(bytes: Buffer): { etag: string; sha256: string } {
  let known = digests.get(bytes);
  if (!known) {
    known = { etag: `"${createHash('md5').update(bytes).digest('hex')}"`, sha256: createHash('sha256').update(bytes).digest('base64') };
    digests.set(bytes, known);
  }
  return known;
}
