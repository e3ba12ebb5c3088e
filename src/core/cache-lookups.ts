/**
 * Where Kura's caches report each lookup, as a hit or a miss (the metrics count them when they
 * are on). Cache names are fixed strings such as `npm.packument`, never a package name.
 */
export interface CacheLookups {
  record(cache: string, hit: boolean): void;
}

/** Lookups nobody counts. */
export const uncountedCacheLookups: CacheLookups = { record() {} };
