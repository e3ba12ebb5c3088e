import type { Generated, Kysely, Transaction } from 'kysely';
import type { FormatContext } from '../contract.js';

/** The RubyGems format's own tables, each named `rubygems_…`. */
export interface RubygemsTables {
  rubygems_gems: GemsTable;
}

/**
 * One pushed `.gem`: a version of a gem for one platform (a core version has one row per
 * platform pushed to it). What the indexes need is kept here, computed once at push.
 */
export interface GemsTable {
  id: Generated<number>;
  owner_id: number;
  package_id: number;
  version_id: number;
  /** `NAME-VERSION[-PLATFORM].gem`, unique per owner (gem names are). */
  file_name: string;
  name: string;
  version: string;
  platform: string;
  /** 1 for a prerelease version (it has a letter). */
  prerelease: number;
  /** SHA-256 hex and size of the .gem file. */
  sha256: string;
  size: number;
  /** The parsed specification (JSON of GemSpec), for the quick index and the dependency API. */
  spec: string;
  /** The gem's line in its compact-index info file, without the leading version. */
  info: string;
  created_at: string;
}

export type RubygemsDb = Kysely<RubygemsTables>;
export type RubygemsTx = Transaction<RubygemsTables>;

/** What the RubyGems format receives from Kura. */
export type RubygemsContext = FormatContext<RubygemsTables>;
