import { marshalDump, rubyHash, sym } from './marshal.js';

/** One gem file as the legacy dependency API (`/api/v1/dependencies?gems=…`) describes it. */
export interface DependencyEntry {
  name: string;
  number: string;
  platform: string;
  /** Runtime dependencies as `[name, "op version, op version"]`. */
  dependencies: Array<[string, string]>;
}

/** The Marshal array of `{name:, number:, platform:, dependencies:}` hashes Bundler's fallback reads. */
export function dependenciesBytes(entries: readonly DependencyEntry[]): Buffer {
  return marshalDump(entries.map((e) => rubyHash([
    [sym('name'), e.name],
    [sym('number'), e.number],
    [sym('platform'), e.platform],
    [sym('dependencies'), e.dependencies.map(([name, requirement]) => [name, requirement])],
  ])));
}
