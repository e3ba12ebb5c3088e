import { gzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/access/principal.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { Owner } from '../../core/owners/owner.js';
import { effectiveVisibility, packageSubject, type PackageRecord } from '../../core/packages/package.js';
import { accepting, noBody, type AcceptedBodies } from '../../delivery/accepted-bodies.js';
import { sendBlob } from '../../delivery/blob-response.js';
import { prepareRange, startsAtFirstByte } from '../../delivery/byte-range.js';
import { ifNoneMatch } from '../../delivery/conditional.js';
import type { FormatContext } from '../contract.js';
import { pointLatestTag } from '../shared/latest-tag.js';
import { compareNuGetVersions, isPrereleaseNuGet, normalizeNuGetVersion } from './nuget-version.js';
import { packageIdKey } from './package-id.js';
import { PackageViews, type PackageView, type ViewVersion } from './package-view.js';
import { inspectPackage, publishPackage, receivePackage } from './push.js';
import { registrationIndex, registrationLeaf, registrationPage, type FeedUrls } from './registration.js';
import { autocomplete, searchPackages } from './search.js';
import { serviceIndex } from './service-index.js';

const apiKeyHeader = 'x-nuget-apikey';
/** What a push's multipart envelope (boundaries, part headers) may add to the package's size. */
const multipartAllowance = 64 * 1024;
const nugetOrder = { compare: compareNuGetVersions, isPrerelease: isPrereleaseNuGet };
/** NuGet.exe and dotnet push the package as the file part of a multipart form (a PUT, so never a cross-site form). */
const pushBodies: AcceptedBodies = { types: ['multipart/form-data'], what: 'a push with the package as a file part' };

/**
 * The NuGet v3 protocol per owner at `/nuget/OWNER/`: the service index, push and delete
 * (the v2 publish API NuGet.exe and dotnet use), symbol packages, the flat container,
 * registrations, search, autocomplete and READMEs.
 */
export async function registerNuGetRoutes(app: FastifyInstance, ctx: FormatContext): Promise<void> {
  const views = new PackageViews(ctx);

  // Push bodies are multipart streams read by the handlers, after access checks.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const body = (request: FastifyRequest): Readable => (request.body as Readable | undefined) ?? request.raw;
  const params = (request: FastifyRequest) => request.params as Record<string, string>;
  const feedUrls = (request: FastifyRequest): FeedUrls => ({ v3: `${ctx.urls.base(request)}/nuget/${params(request)['owner']}/v3` });
  const caller = (request: FastifyRequest) => ctx.authenticate(request, { tokenHeader: apiKeyHeader });

  async function ownerOf(principal: Principal, login: string): Promise<Owner> {
    const owner = await ctx.owners.find(login);
    if (owner) return owner;
    return ctx.access.authorize(principal, 'read', { kind: 'missing', label: `feed ${login}`, notFound: `no user or organization named "${login}"` });
  }

  /** The package an id names, once the caller may do `action` on it. */
  async function packageFor(request: FastifyRequest, id: string, action: 'read' | 'write' | 'delete' = 'read'): Promise<{ pkg: PackageRecord; principal: Principal }> {
    const principal = await caller(request);
    const owner = await ownerOf(principal, params(request)['owner']!);
    const pkg = await ctx.packages.queries.find(ctx.formatId, owner.login, packageIdKey(id));
    if (!pkg) return ctx.access.authorize(principal, action, { kind: 'missing', label: `package ${id}`, notFound: `The package '${id}' was not found in this feed.` });
    await ctx.access.authorize(principal, action, packageSubject(pkg));
    return { pkg, principal };
  }

  async function versionOf(view: PackageView, version: string): Promise<ViewVersion> {
    const found = view.byKey.get(normalizeNuGetVersion(version).toLowerCase());
    if (!found) throw new KuraError('NOT_FOUND', `The package '${view.pkg.name} ${version}' was not found in this feed.`);
    return found;
  }

  function sendJson(request: FastifyRequest, reply: FastifyReply, value: unknown, visibility: 'public' | 'private') {
    return sendDocument(request, reply, () => Buffer.from(JSON.stringify(value)), visibility);
  }

  /**
   * Sends a JSON document, gzipped when the client accepts it; with `cache` (a package view's
   * render cache) each encoding is rendered once per package revision.
   */
  function sendDocument(request: FastifyRequest, reply: FastifyReply, render: () => Buffer, visibility: 'public' | 'private', cache?: { view: PackageView; key: string }) {
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    const key = cache ? `${ctx.urls.base(request)}${cache.key}${gzip ? '|gzip' : ''}` : null;
    let bytes = key ? cache!.view.rendered.get(key) : undefined;
    if (!bytes) {
      bytes = gzip ? gzipSync(render()) : render();
      if (key) cache!.view.rendered.set(key, bytes);
    }
    reply.header('cache-control', `${visibility}, max-age=0, must-revalidate`);
    reply.header('vary', 'Accept-Encoding, Authorization');
    reply.type('application/json; charset=utf-8');
    if (gzip) reply.header('content-encoding', 'gzip');
    return reply.send(bytes);
  }

  app.get('/:owner/index.json', async (request, reply) => {
    await ownerOf(await caller(request), params(request)['owner']!);
    return sendJson(request, reply, serviceIndex(feedUrls(request)), 'public');
  });

  /**
   * The caller, the feed's owner and the staged package part of a push, once the caller may push
   * to the feed at all (refused before the body is read); the package itself decides the rest.
   */
  async function receivePush(request: FastifyRequest) {
    const principal = await caller(request);
    const owner = await ownerOf(principal, params(request)['owner']!);
    await ctx.access.authorize(principal, 'write', { kind: 'new-package', owner, repo: 'pending', label: `packages of ${owner.login}` });
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > ctx.limits.maxBodyBytes + multipartAllowance) {
      throw new KuraError('PAYLOAD_TOO_LARGE', `the push (${declared} bytes) exceeds the limit of ${ctx.limits.maxBodyBytes} bytes for a package`);
    }
    return { principal, owner, blob: await receivePackage(ctx, request, body(request)) };
  }

  // NuGet.exe probes the publish URL before pushing; a 401 here would make it prompt for credentials.
  app.get('/:owner/api/v2/package', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('NuGet package publishing endpoint\n'));

  for (const url of ['/:owner/api/v2/package', '/:owner/api/v2/package/']) {
    app.put(url, accepting(pushBodies), async (request, reply) => {
      const { principal, owner, blob } = await receivePush(request);
      try {
        const contents = await inspectPackage(blob);
        if (contents.nuspec.packageTypes.includes('SymbolsPackage')) throw new KuraError('INVALID_MANIFEST', 'a symbol package (.snupkg) is pushed to the SymbolPackagePublish endpoint');
        await publishPackage(ctx, principal, owner, blob, contents);
        const pkg = (await ctx.packages.queries.find(ctx.formatId, owner.login, packageIdKey(contents.nuspec.id)))!;
        await pointLatestTag(ctx.packages, principal, pkg, nugetOrder);
      } finally {
        await blob.cancel();
      }
      return reply.status(201).type('text/plain; charset=utf-8').send('Created\n');
    });
  }

  for (const url of ['/:owner/api/v2/symbolpackage', '/:owner/api/v2/symbolpackage/']) {
    app.put(url, accepting(pushBodies), async (request, reply) => {
      const { principal, owner, blob } = await receivePush(request);
      try {
        const { nuspec } = await inspectPackage(blob);
        const { pkg } = await packageFor(request, nuspec.id, 'write');
        if (!nuspec.packageTypes.includes('SymbolsPackage')) {
          throw new KuraError('INVALID_MANIFEST', `'${nuspec.id} ${nuspec.version}' is not a symbols package (a .snupkg has the package type SymbolsPackage)`);
        }
        const target = await versionOf(await views.of(pkg), nuspec.version);
        const result = await ctx.packages.addFile({
          principal, owner, name: pkg.name, nameLower: packageIdKey(pkg.name), version: target.record.version, replaceExisting: false,
          file: { name: `${packageIdKey(pkg.name)}.${target.key}.snupkg`, blob, contentType: 'application/octet-stream' },
        });
        if (result.outcome === 'unchanged') throw new KuraError('VERSION_EXISTS', `The symbol package of '${pkg.name} ${nuspec.version}' was pushed before.`);
      } finally {
        await blob.cancel();
      }
      return reply.status(201).type('text/plain; charset=utf-8').send('Created\n');
    });
  }

  app.delete('/:owner/api/v2/package/:id/:version', accepting(noBody), async (request, reply) => {
    const { id, version } = params(request) as { id: string; version: string };
    const { pkg, principal } = await packageFor(request, id, 'delete');
    const target = await versionOf(await views.of(pkg), version);
    await ctx.packages.deleteVersion(principal, pkg, target.record);
    return reply.status(204).send();
  });

  app.post('/:owner/api/v2/package/:id/:version', accepting(noBody), async (request, reply) => {
    const { id, version } = params(request) as { id: string; version: string };
    const { pkg, principal } = await packageFor(request, id, 'delete');
    const key = normalizeNuGetVersion(version).toLowerCase();
    const deleted = (await ctx.packages.queries.versions(pkg.id, true)).find((v) => v.deletedAt && v.version.toLowerCase() === key);
    if (!deleted) throw new KuraError('NOT_FOUND', `The package '${pkg.name} ${version}' is not unlisted in this feed.`);
    await ctx.packages.restoreVersion(principal, pkg, deleted);
    return reply.status(200).type('text/plain; charset=utf-8').send('Relisted\n');
  });

  app.get('/:owner/v3/flatcontainer/:id/index.json', async (request, reply) => {
    const { pkg } = await packageFor(request, params(request)['id']!);
    const view = await views.of(pkg);
    return sendJson(request, reply, { versions: view.versions.map((v) => v.key) }, effectiveVisibility(pkg));
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/:owner/v3/flatcontainer/:id/:version/:file',
    handler: async (request, reply) => {
      const { id, version, file } = params(request) as { id: string; version: string; file: string };
      const { pkg } = await packageFor(request, id);
      const v = await versionOf(await views.of(pkg), version);
      const idKey = packageIdKey(pkg.name);
      const stored = file === `${idKey}.${v.key}.nupkg` ? v.nupkg : file === `${idKey}.nuspec` ? v.nuspecFile : file === `${idKey}.${v.key}.snupkg` ? v.snupkg : null;
      if (!stored) throw new KuraError('NOT_FOUND', `${file} is not in '${pkg.name} ${v.record.version}'.`);
      reply.header('etag', `"${stored.sha256}"`);
      reply.header('cache-control', `${effectiveVisibility(pkg)}, max-age=31536000, immutable`);
      reply.type(file.endsWith('.nuspec') ? 'application/xml' : 'application/octet-stream');
      if (ifNoneMatch(request.headers['if-none-match'], `"${stored.sha256}"`)) return reply.status(304).send();
      const range = prepareRange(request, reply, stored.size);
      if (request.method === 'HEAD') return reply.send();
      if (stored === v.nupkg && startsAtFirstByte(range)) ctx.downloads.record(v.record.id);
      return sendBlob(reply, await ctx.blobs.reader.open(stored.sha256, stored.size, range));
    },
  });

  app.get('/:owner/v3/registration/:id/index.json', async (request, reply) => {
    const { pkg } = await packageFor(request, params(request)['id']!);
    const view = await views.of(pkg);
    if (view.versions.length === 0) throw new KuraError('NOT_FOUND', `The package '${pkg.name}' has no versions in this feed.`);
    const render = () => Buffer.from(JSON.stringify(registrationIndex(feedUrls(request), view)));
    return sendDocument(request, reply, render, effectiveVisibility(pkg), { view, key: '|index' });
  });

  app.get('/:owner/v3/registration/:id/page/:lower/:upper', async (request, reply) => {
    const { id, lower, upper } = params(request) as { id: string; lower: string; upper: string };
    const { pkg } = await packageFor(request, id);
    const view = await views.of(pkg);
    const [low, high] = [lower.toLowerCase(), upper.replace(/\.json$/, '').toLowerCase()];
    const render = () => {
      const page = registrationPage(feedUrls(request), view, low, high);
      if (!page) throw new KuraError('NOT_FOUND', `no registration page ${lower}/${upper} of '${pkg.name}'`);
      return Buffer.from(JSON.stringify(page));
    };
    return sendDocument(request, reply, render, effectiveVisibility(pkg), { view, key: `|page/${low}/${high}` });
  });

  app.get('/:owner/v3/registration/:id/:leaf', async (request, reply) => {
    const { id, leaf } = params(request) as { id: string; leaf: string };
    if (!leaf.endsWith('.json')) throw new KuraError('NOT_FOUND', `no registration resource ${leaf}`);
    const { pkg } = await packageFor(request, id);
    const view = await views.of(pkg);
    return sendJson(request, reply, registrationLeaf(feedUrls(request), view, await versionOf(view, leaf.slice(0, -5))), effectiveVisibility(pkg));
  });

  app.get('/:owner/v3/readme/:id/:version/readme', async (request, reply) => {
    const { id, version } = params(request) as { id: string; version: string };
    const { pkg } = await packageFor(request, id);
    const v = await versionOf(await views.of(pkg), version);
    if (!v.record.readme) throw new KuraError('NOT_FOUND', `'${pkg.name} ${v.record.version}' has no README.`);
    return reply.type('text/markdown; charset=utf-8').send(v.record.readme);
  });

  /** The owner's packages the caller may read, with their views. */
  async function readableViews(request: FastifyRequest): Promise<PackageView[]> {
    const principal = await caller(request);
    const owner = await ownerOf(principal, params(request)['owner']!);
    const result: PackageView[] = [];
    for (const pkg of await ctx.packages.queries.listByOwner(owner.id, { format: ctx.formatId })) {
      if (await ctx.access.permits(principal, 'read', packageSubject(pkg))) result.push(await views.of(pkg));
    }
    return result;
  }

  app.get('/:owner/v3/search', async (request, reply) => {
    const result = searchPackages(feedUrls(request), await readableViews(request), singleValues(request.query));
    return sendJson(request, reply, result, 'private');
  });

  app.get('/:owner/v3/autocomplete', async (request, reply) => {
    const result = autocomplete(await readableViews(request), singleValues(request.query));
    return sendJson(request, reply, result, 'private');
  });
}

/** A query string as one value per parameter: a repeated parameter counts with its first value. */
function singleValues(query: unknown): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') values[key] = first;
  }
  return values;
}
