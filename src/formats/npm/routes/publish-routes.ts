import type { FastifyInstance } from 'fastify';
import { ownerTarget } from '../../../core/access/access-policy.js';
import type { Principal } from '../../../core/access/principal.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { accepting, jsonBody, noBody } from '../../../delivery/accepted-bodies.js';
import type { PackageRecord } from '../../../core/packages/package.js';
import type { PublishGrant } from '../../../core/packages/package-service.js';
import { parseNpmName, type NpmName } from '../names.js';
import { parsePublishBody } from '../publish-body.js';
import { publishNpmVersion } from '../publish.js';
import { parseNpmPath } from '../request-path.js';
import { inspectTarball } from '../tarball.js';
import { authorizedPackage, bodyOf, existingPackage, rawPath, type NpmRoutesContext } from './npm-routes-context.js';

const maxMetadataBytes = 16 * 1024 * 1024;

/** `npm publish` (a document with one attachment), `npm deprecate` and `npm unpublish`. */
export function registerPublishRoutes(app: FastifyInstance, nc: NpmRoutesContext): void {
  const { ctx } = nc;

  app.put('/*', accepting(jsonBody), async (request, reply) => {
    const path = parseNpmPath(rawPath(request.url, '/npm/'));
    if (!path || (path.kind !== 'package' && path.kind !== 'rev')) throw new KuraError('NOT_FOUND', 'not found');
    const name = parseNpmName(path.name);
    const principal = await ctx.authenticate(request);
    const { owner, existing, grant } = await refuseEarly(principal, name);
    const maxBodyBytes = ctx.limits.maxBodyBytes;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      throw new KuraError('PAYLOAD_TOO_LARGE', `the request body (${declared} bytes) exceeds the limit of ${maxBodyBytes} bytes`);
    }
    const parsed = await parsePublishBody(bodyOf(request), ctx.blobs.store, { maxBodyBytes, maxMetadataBytes, inspect: inspectTarball });
    try {
      if (parsed.attachments.size > 0) {
        const result = await publishNpmVersion({ packages: ctx.packages, principal, grant, owner, name, document: parsed.document, attachments: parsed.attachments });
        return reply.status(201).send({ ok: result.created ? 'created new package' : 'created new version', success: true });
      }
      if (!existing || existing.deletedAt) throw new KuraError('NOT_FOUND', `npm package ${name.full} not found`);
      await updatePackage(principal, existing, name, parsed.document);
      return reply.status(200).send({ ok: 'package updated', success: true });
    } finally {
      for (const attachment of parsed.attachments.values()) await attachment.blob.cancel();
    }
  });

  app.delete('/*', accepting(noBody), async (request) => {
    const path = parseNpmPath(rawPath(request.url, '/npm/'));
    if (!path) throw new KuraError('NOT_FOUND', 'not found');
    const name = parseNpmName(path.name);
    if (path.kind === 'rev' || path.kind === 'package') {
      const { pkg, principal } = await existingPackage(nc, request, name);
      await ctx.packages.deletePackage(principal, pkg);
      return { ok: `${name.full} unpublished` };
    }
    if (path.kind === 'tarball-rev' || path.kind === 'tarball') {
      // npm deletes the tarball after the version was removed from the document: nothing is left to do.
      await authorizedPackage(nc, request, name, 'delete');
      return { ok: 'tarball removed' };
    }
    throw new KuraError('METHOD_NOT_ALLOWED', `${request.method} is not supported here`);
  });

  /**
   * Refuses before the body is read what can be refused without it: an unknown owner, no write
   * on an existing package (that decision is the publish's grant), or a token without
   * `write:packages` for a new one (whose repository link the body names, so core decides then).
   */
  async function refuseEarly(principal: Principal, name: NpmName) {
    const owner = await ctx.owners.find(name.scope);
    const label = `npm package ${name.full}`;
    if (!owner) {
      return ctx.access.authorize(principal, 'write', {
        kind: 'missing', label, notFound: `no user or organization named "${name.scope}" (the scope of an npm package is its owner)`,
      });
    }
    const target = { principal, owner, name: name.full, nameLower: name.full.toLowerCase() };
    const existing = await ctx.packages.queries.find('npm', name.scope, target.nameLower, true);
    let grant: PublishGrant | undefined;
    if (existing) grant = await ctx.packages.authorizePublish(target);
    else await ctx.access.authorize(principal, 'write', { kind: 'new-package', owner: ownerTarget(owner), repo: 'pending', label });
    return { owner, existing, grant };
  }

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
    const live = await ctx.packages.queries.versions(pkg.id);
    const deprecations = new Map<string, string | null>();
    const removed = live.filter((v) => !(v.version in sent));
    for (const version of live) {
      const doc = sent[version.version];
      if (!doc) continue;
      const message = typeof doc.deprecated === 'string' && doc.deprecated !== '' ? doc.deprecated : null;
      if (message !== version.deprecated) deprecations.set(version.version, message);
    }
    if (deprecations.size > 0) await ctx.packages.setDeprecation(principal, pkg, deprecations);
    for (const version of removed) {
      const current = (await ctx.packages.queries.findById(pkg.id))!;
      await ctx.packages.deleteVersion(principal, current, version);
    }
  }
}
