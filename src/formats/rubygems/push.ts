import type { Principal } from '../../core/access/principal.js';
import { ingestStream } from '../../core/blobs/blob-ingest.js';
import { KuraError } from '../../core/errors/catalogue.js';
import type { Owner } from '../../core/owners/owner.js';
import { infoLine } from './compact-index.js';
import { GemInspection, inspectedGem } from './gem-archive.js';
import { compareGemVersions, isPrereleaseVersion } from './gem-version.js';
import type { GemSpec } from './gemspec.js';
import { gemFullName, gemNameKey } from './names.js';
import { pointLatestTag } from '../shared/latest-tag.js';
import type { RubygemsContext } from './tables.js';

/** What `gem push` prints back when a version and platform were pushed before (also after a yank). */
export function repushRefused(spec: Pick<GemSpec, 'name' | 'version' | 'platform'>): KuraError {
  return new KuraError('VERSION_EXISTS', `Repushing of gem versions is not allowed. ${gemFullName(spec.name, spec.version, spec.platform)} was pushed before (yanked versions keep their number); bump the version.`);
}

/**
 * `OWNER/REPO` of the Kura repository a gemspec names, checked in the order DESIGN §1 gives:
 * `metadata["github_repo"]`, `metadata["source_code_uri"]`, `homepage` (the last two path
 * segments of a URL whose owner segment is the gem's owner).
 */
export function repositoryHint(spec: Pick<GemSpec, 'metadata' | 'homepage'>, ownerLogin: string): string | null {
  for (const candidate of [spec.metadata['github_repo'], spec.metadata['source_code_uri'], spec.homepage]) {
    if (!candidate) continue;
    const parts = candidate.trim().replace(/\.git$/i, '').replace(/\/+$/, '').split(/[/:]/).filter(Boolean);
    const [owner, repo] = parts.slice(-2);
    if (owner && repo && parts.length >= 2 && owner.toLowerCase() === ownerLogin.toLowerCase()) return `${owner}/${repo}`;
  }
  return null;
}

/**
 * Pushes a `.gem`: streams it into the blob store while reading it, validates its
 * specification, decides access once (the gem may link to a repository its gemspec names), and
 * adds it as a file of its version (a platform gem joins the version's other files) with its
 * index row, in one transaction.
 * @throws KuraError INVALID_ARCHIVE, INVALID_MANIFEST, DIGEST_MISMATCH, PAYLOAD_TOO_LARGE, INVALID_NAME, INVALID_VERSION, VERSION_EXISTS, ALREADY_EXISTS, plus access errors
 */
export async function pushGem(ctx: RubygemsContext, principal: Principal, owner: Owner, body: AsyncIterable<Uint8Array>): Promise<GemSpec> {
  const inspection = new GemInspection();
  const blob = await ingestStream(ctx.blobs.store, inspectedGem(body, inspection), { maxBytes: ctx.limits.maxBodyBytes });
  try {
    const spec = await inspection.finish();
    const nameLower = gemNameKey(spec.name);
    const target = { principal, owner, name: spec.name, nameLower, repository: repositoryHint(spec, owner.login) };
    const grant = await ctx.packages.authorizePublish(target);
    const existing = grant.existing;
    if (existing && existing.name !== spec.name) {
      throw new KuraError('ALREADY_EXISTS', `${owner.login} already has a gem named ${existing.name}; gem names differing only in case cannot coexist`);
    }
    if (existing) {
      // Versions are compared as Gem::Version does (1.0 = 1.0.0), as rubygems.org compares canonical numbers.
      const pushed = await ctx.db.selectFrom('rubygems_gems').select('version')
        .where('package_id', '=', existing.id).where('platform', '=', spec.platform).execute();
      const same = pushed.find((row) => compareGemVersions(row.version, spec.version) === 0);
      if (same) throw repushRefused({ ...spec, version: same.version });
    }
    const versionExists = existing ? (await ctx.packages.queries.version(existing.id, spec.version)) !== null : false;
    const fileName = `${gemFullName(spec.name, spec.version, spec.platform)}.gem`;
    const result = await ctx.packages.addFile({
      ...target,
      grant,
      version: spec.version,
      ...(versionExists ? {} : { metadata: spec, description: spec.description ?? spec.summary, license: spec.licenses.join(', ') || null }),
      replaceExisting: false,
      file: { name: fileName, blob, contentType: 'application/octet-stream' },
      withinTransaction: async (trx, ids) => {
        await trx.insertInto('rubygems_gems').values({
          owner_id: owner.id, package_id: ids.packageId, version_id: ids.versionId, file_name: fileName,
          name: spec.name, version: spec.version, platform: spec.platform, prerelease: isPrereleaseVersion(spec.version) ? 1 : 0,
          sha256: blob.sha256, size: blob.size, spec: JSON.stringify(spec), info: infoLine(spec, blob.sha256), created_at: ctx.now().toISOString(),
        }).execute();
      },
    });
    if (result.outcome === 'unchanged') throw repushRefused(spec);
    await pointLatestTag(ctx.packages, principal, result.package, { compare: compareGemVersions, isPrerelease: isPrereleaseVersion });
    return spec;
  } finally {
    await blob.cancel();
  }
}
