import type { CacheLookups } from './cache-lookups.js';
import type { Db } from '../db/schema.js';
import type { BlobStore } from './blobs/blob-store.js';
import type { PackageSearchIndex } from './packages/package-search-index.js';
import type { DataChanges } from './data-changes.js';

/** What every core service is built from. */
export interface CoreDeps {
  db: Db;
  blobs: BlobStore;
  /** The clock; tests pass a fixed or movable one. */
  now: () => Date;
  /** Where caches count their hits and misses; uncounted when absent. */
  caches?: CacheLookups;
  /** The database engine's text index for package search; search scans without one. */
  packageSearch?: PackageSearchIndex;
  /** Tells reads that may be reused from ones to make again; nothing is reused when absent. */
  changes?: DataChanges;
}
