import { KuraError } from '../core/errors/catalogue.js';
import type { OsvEcosystem } from '../core/advisories/osv.js';
import type { EcosystemRanges, RangesOf } from '../core/alerts/ecosystem-ranges.js';
import type { AnyPackageFormat } from './contract.js';

/** How a site admin set a format: served, served for downloads only, or not at all. */
export type FormatMode = 'enabled' | 'read-only' | 'disabled';

/**
 * The formats this server knows, with the mode the site admin set for each. Every front end
 * (the protocol mounts, the REST API, the web pages) asks it, so a mode applies everywhere:
 * a disabled format's packages do not exist to anyone, a read-only one's cannot be changed.
 */
export class FormatCatalog {
  constructor(
    readonly all: readonly AnyPackageFormat[],
    private readonly modes: Readonly<Record<string, FormatMode>>,
  ) {}

  find(id: string): AnyPackageFormat | undefined {
    return this.all.find((f) => f.id === id);
  }

  mode(id: string): FormatMode {
    return this.modes[id] ?? 'enabled';
  }

  /** Whether packages of format `id` are shown at all. */
  isVisible(id: string): boolean {
    return this.mode(id) !== 'disabled';
  }

  /** @throws KuraError FORMAT_DISABLED naming the setting */
  requireVisible(id: string): void {
    if (this.mode(id) === 'disabled') {
      throw new KuraError('FORMAT_DISABLED', `the ${this.find(id)?.displayName ?? id} registry is disabled on this server (setting KURA_FORMATS ${id}=disabled)`);
    }
  }

  /** @throws KuraError FORMAT_DISABLED, READ_ONLY naming the setting */
  requireWritable(id: string): void {
    this.requireVisible(id);
    if (this.mode(id) === 'read-only') {
      throw new KuraError('READ_ONLY', `the ${this.find(id)?.displayName ?? id} registry is read-only on this server (setting KURA_FORMATS ${id}=read-only)`);
    }
  }
}

/** The version rules of each format that declares ranges, by format id (what alert computation uses). */
export function ecosystemRanges(formats: readonly AnyPackageFormat[]): RangesOf {
  const byId = new Map(formats.flatMap((f): Array<[string, EcosystemRanges]> => {
    const ranges = f.versionRanges;
    return ranges ? [[f.id, { compare: (a, b) => f.compareVersions(a, b), admits: (r, v) => ranges.admits(r, v), overlaps: (a, b) => ranges.overlaps(a, b) }]] : [];
  }));
  return (ecosystem) => byId.get(ecosystem) ?? null;
}

/** The advisory ecosystems of `formats`: each format that declares version ranges is one, named by its id. */
export function osvEcosystems(formats: readonly AnyPackageFormat[]): OsvEcosystem[] {
  return formats.flatMap((f) => (f.versionRanges ? [{ id: f.id, osvName: f.versionRanges.osvName, between: f.versionRanges.between, exactly: f.versionRanges.exactly }] : []));
}
