/** An ecosystem's version rules, as alert computation needs them (each format supplies its own). */
export interface EcosystemRanges {
  compare(a: string, b: string): number;
  /** Whether `version` is in `range`. */
  admits(range: string, version: string): boolean;
  /** Whether some version could be in both ranges. */
  overlaps(a: string, b: string): boolean;
}

/** The rules of an ecosystem (a format id), or null when Kura hosts no such format. */
export type RangesOf = (ecosystem: string) => EcosystemRanges | null;
