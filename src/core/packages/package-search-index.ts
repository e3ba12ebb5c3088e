import type { RawBuilder } from 'kysely';

/**
 * An engine's text index over package names and descriptions, which narrows a substring search
 * before the exact match runs on the rows it lets through.
 */
export interface PackageSearchIndex {
  /**
   * A condition on `packages.id` that every package whose name or description contains `needle`
   * (lower case) meets, and few others do; null when the index cannot narrow this needle.
   */
  candidates(needle: string): RawBuilder<boolean> | null;
}
