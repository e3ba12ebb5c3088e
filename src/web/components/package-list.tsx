import { effectiveVisibility, type PackageRecord } from '../../core/packages/package.js';
import type { FormatCatalog } from '../../formats/catalog.js';
import { packagePath } from '../paths.js';

/** Packages as a list: name linking to the package page, format, visibility when private, description. */
export function PackageList({ packages, formats, empty = 'No packages yet.' }: { packages: readonly PackageRecord[]; formats: FormatCatalog; empty?: string }) {
  if (packages.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="packages">
      {packages.map((pkg) => (
        <li>
          <a href={packagePath(pkg)}><strong>{pkg.name}</strong></a>{' '}
          <span class="badge">{formats.find(pkg.format)?.displayName ?? pkg.format}</span>
          {effectiveVisibility(pkg) === 'private' ? <span class="badge">private</span> : null}
          {pkg.description ? <div class="muted">{pkg.description}</div> : null}
        </li>
      ))}
    </ul>
  );
}
