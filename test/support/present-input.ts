import type { PackageRecord, VersionRecord } from '../../src/core/packages/package.js';
import type { PageFact, PresentInput } from '../../src/formats/contract.js';

/** A presenter's input for version `version` of `alice`'s package `name`, linked to `alice/tools`. */
export function presentInput(format: string, name: string, version: string, metadata: unknown, tags: string[] = []): PresentInput {
  const pkg: PackageRecord = {
    id: 1, format, name, ownerId: 1, ownerLogin: 'alice', ownerKind: 'user',
    repo: { id: 1, fullName: 'alice/tools', visibility: 'public' }, inheritsAccess: true, visibility: 'public',
    description: null, rev: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', deletedAt: null,
  };
  const record: VersionRecord = {
    id: 1, packageId: 1, version, metadata: JSON.stringify(metadata), readme: null, description: null, license: null, deprecated: null,
    publisherId: null, downloadCount: 0, createdAt: '2026-01-01T00:00:00.000Z', deletedAt: null, purgedAt: null,
  };
  return { pkg, version: record, metadata: metadata as Record<string, unknown>, tags, baseUrl: 'https://kura.example' };
}

/** The fact labelled `label`, or undefined. */
export function factLabelled(details: readonly PageFact[], label: string): PageFact | undefined {
  return details.find((fact) => fact.label === label);
}

/** Odd values older versions or careless clients may have stored where a field is expected. */
export const oddValues: readonly unknown[] = [
  null, 42, -1, 1.5, true, 'text', '', ['list', 3, null], { nested: { deeper: [] } }, [], {}, 'javascript:alert(1)', 'x'.repeat(100_000),
];
