import type { FileRecord, PackageRecord, VersionRecord } from '../../core/packages/package.js';
import type { FormatContext } from '../contract.js';
import { compareNuGetVersions } from './nuget-version.js';
import type { Nuspec } from './nupkg.js';

/** One live version of a NuGet package with what every read needs. */
export interface ViewVersion {
  record: VersionRecord;
  /** Normalized, lower-cased: the key in every URL. */
  key: string;
  nuspec: Nuspec;
  nupkg: FileRecord | null;
  nuspecFile: FileRecord | null;
  snupkg: FileRecord | null;
}

/** A package's live versions in NuGet order, built once per package revision (two queries). */
export interface PackageView {
  pkg: PackageRecord;
  versions: ViewVersion[];
  byKey: Map<string, ViewVersion>;
  /** Documents rendered from this revision (registration index, pages, leaves), by URL and encoding. */
  rendered: Map<string, Buffer>;
}

const cachedPackages = 10_000;

/** Per-package views of NuGet packages, cached by revision: a registration page costs no query per version. */
export class PackageViews {
  private readonly cache = new Map<number, PackageView>();

  constructor(private readonly ctx: FormatContext) {}

  async of(pkg: PackageRecord): Promise<PackageView> {
    const cached = this.cache.get(pkg.id);
    const hit = cached !== undefined && cached.pkg.rev === pkg.rev;
    this.ctx.caches.record('nuget.package', hit);
    if (hit) return cached;
    const [versions, files] = await Promise.all([this.ctx.packages.queries.versions(pkg.id), this.ctx.packages.queries.liveFiles(pkg.id)]);
    const filesOf = (id: number) => files.filter((f) => f.versionId === id);
    const view: ViewVersion[] = versions.map((record) => {
      const own = filesOf(record.id);
      return {
        record,
        key: record.version.toLowerCase(),
        nuspec: JSON.parse(record.metadata) as Nuspec,
        nupkg: own.find((f) => f.name.endsWith('.nupkg')) ?? null,
        nuspecFile: own.find((f) => f.name.endsWith('.nuspec')) ?? null,
        snupkg: own.find((f) => f.name.endsWith('.snupkg')) ?? null,
      };
    }).sort((a, b) => compareNuGetVersions(a.record.version, b.record.version));
    const result = { pkg, versions: view, byKey: new Map(view.map((v) => [v.key, v])), rendered: new Map<string, Buffer>() };
    this.cache.delete(pkg.id);
    this.cache.set(pkg.id, result);
    if (this.cache.size > cachedPackages) this.cache.delete(this.cache.keys().next().value as number);
    return result;
  }
}
