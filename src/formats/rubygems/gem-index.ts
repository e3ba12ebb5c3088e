import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { PackageRecord } from '../../core/packages/package.js';
import { versionWithPlatform } from './compact-index.js';
import { compareGemVersions } from './gem-version.js';
import { specsIndexBytes } from './gem-marshal.js';
import type { RubygemsContext } from './tables.js';

/** One live gem file of a package, as the indexes list it. */
export interface IndexedGem {
  id: number;
  versionId: number;
  fileName: string;
  name: string;
  version: string;
  platform: string;
  prerelease: boolean;
  sha256: string;
  size: number;
  info: string;
  spec: string;
}

/** A package's part of every index, rendered once per package revision. */
export interface PackageIndex {
  pkg: PackageRecord;
  gems: IndexedGem[];
  /** The compact-index info file (`/info/NAME`). */
  info: Buffer;
  infoMd5: string;
  /** The package's line in `/versions`, or null when no version is live. */
  versionsLine: string | null;
}

const cachedPackages = 20_000;

/**
 * The RubyGems indexes of an owner, assembled from per-package parts: a push or yank changes one
 * package's revision, so only that package's part is rendered again (one query), whatever the
 * number of gems the owner has. Liveness comes from core: a yanked version is a deleted one, and
 * a gem yanked for one platform of a version that keeps others has lost its file.
 */
export class GemIndex {
  private readonly cache = new Map<number, PackageIndex>();
  private readonly ownerFiles = new Map<number, { fingerprint: string; files: Map<string, Buffer> }>();
  private readonly quickSpecs = new Map<number, Buffer>();

  constructor(private readonly ctx: RubygemsContext) {}

  /**
   * An owner-wide file (`versions`, `specs.4.8.gz`…) as anonymous callers see it, built once per
   * owner fingerprint (which changes with every write to any of the owner's gems and with
   * their visibility).
   */
  async ownerFile(ownerId: number, fingerprint: string, name: string, build: () => Promise<Buffer>): Promise<Buffer> {
    let entry = this.ownerFiles.get(ownerId);
    if (!entry || entry.fingerprint !== fingerprint) {
      entry = { fingerprint, files: new Map() };
      this.ownerFiles.set(ownerId, entry);
      if (this.ownerFiles.size > 1000) this.ownerFiles.delete(this.ownerFiles.keys().next().value as number);
    }
    let file = entry.files.get(name);
    if (!file) {
      file = await build();
      if (this.ownerFiles.get(ownerId) === entry) entry.files.set(name, file);
    }
    return file;
  }

  /** The quick-index gemspec of a gem file, built once (a pushed gem never changes). */
  quickSpec(gem: IndexedGem, build: () => Buffer): Buffer {
    let bytes = this.quickSpecs.get(gem.id);
    if (!bytes) {
      bytes = build();
      this.quickSpecs.set(gem.id, bytes);
      if (this.quickSpecs.size > 5000) this.quickSpecs.delete(this.quickSpecs.keys().next().value as number);
    }
    return bytes;
  }

  /** The index part of each package, in the order given; stale parts are rendered in bulk. */
  async parts(packages: readonly PackageRecord[]): Promise<PackageIndex[]> {
    const stale = packages.filter((pkg) => {
      const hit = this.cache.get(pkg.id)?.pkg.rev === pkg.rev;
      this.ctx.caches.record('rubygems.index', hit);
      return !hit;
    });
    for (let i = 0; i < stale.length; i += 500) await this.render(stale.slice(i, i + 500));
    return packages.map((pkg) => this.cache.get(pkg.id)!).filter(Boolean);
  }

  async part(pkg: PackageRecord): Promise<PackageIndex> {
    return (await this.parts([pkg]))[0]!;
  }

  private async render(packages: readonly PackageRecord[]): Promise<void> {
    const rows = await this.ctx.db.selectFrom('rubygems_gems').selectAll()
      .where('package_id', 'in', packages.map((p) => p.id)).orderBy('id').execute();
    // A gem is listed while its version is live and its file is there (a platform's yank removes the file).
    const live = await this.ctx.packages.queries.liveFileNames([...new Set(rows.map((r) => r.version_id))]);
    for (const pkg of packages) {
      const gems = rows.filter((r) => r.package_id === pkg.id && live.get(r.version_id)?.has(r.file_name)).map((r): IndexedGem => ({
        id: r.id, versionId: r.version_id, fileName: r.file_name, name: r.name, version: r.version, platform: r.platform,
        prerelease: r.prerelease === 1, sha256: r.sha256, size: Number(r.size), info: r.info, spec: r.spec,
      }));
      const info = Buffer.from(`---\n${gems.map((g) => `${versionWithPlatform(g.version, g.platform)} ${g.info}\n`).join('')}`, 'utf8');
      const infoMd5 = createHash('md5').update(info).digest('hex');
      const versionsLine = gems.length === 0 ? null : `${pkg.name} ${gems.map((g) => versionWithPlatform(g.version, g.platform)).join(',')} ${infoMd5}`;
      this.cache.delete(pkg.id);
      this.cache.set(pkg.id, { pkg, gems, info, infoMd5, versionsLine });
      if (this.cache.size > cachedPackages) this.cache.delete(this.cache.keys().next().value as number);
    }
  }
}

/** `/versions`: every listed gem with its versions and the MD5 of its info file. */
export function versionsFile(parts: readonly PackageIndex[], createdAt: string): Buffer {
  const lines = parts.map((p) => p.versionsLine).filter((l): l is string => l !== null).sort();
  return Buffer.from(`created_at: ${createdAt}\n---\n${lines.map((l) => `${l}\n`).join('')}`, 'utf8');
}

/** `/names`: every listed gem's name. */
export function namesFile(parts: readonly PackageIndex[]): Buffer {
  const names = parts.filter((p) => p.gems.length > 0).map((p) => p.pkg.name).sort();
  return Buffer.from(`---\n${names.map((n) => `${n}\n`).join('')}`, 'utf8');
}

export type SpecsKind = 'specs' | 'latest_specs' | 'prerelease_specs';

/**
 * A full-index file (`specs.4.8.gz`, `latest_specs.4.8.gz`, `prerelease_specs.4.8.gz`): the
 * gzipped Marshal array of [name, Gem::Version, platform], sorted by name, version, platform.
 */
export function specsFile(parts: readonly PackageIndex[], kind: SpecsKind): Buffer {
  let gems = parts.flatMap((p) => p.gems).filter((g) => (kind === 'prerelease_specs' ? g.prerelease : !g.prerelease));
  if (kind === 'latest_specs') {
    const latest = new Map<string, IndexedGem>();
    for (const gem of gems) {
      const key = `${gem.name}\u0000${gem.platform}`;
      const current = latest.get(key);
      if (!current || compareGemVersions(gem.version, current.version) > 0) latest.set(key, gem);
    }
    gems = [...latest.values()];
  }
  gems.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : compareGemVersions(a.version, b.version) || (a.platform < b.platform ? -1 : a.platform > b.platform ? 1 : 0)));
  return gzipSync(specsIndexBytes(gems.map((g) => ({ name: g.name, version: g.version, platform: g.platform }))));
}
