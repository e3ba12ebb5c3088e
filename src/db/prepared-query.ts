import type { Compilable, CompiledQuery, Kysely } from 'kysely';

const sentinelPrefix = '\u0000kura-param:';

/**
 * A query built and compiled once, then run many times with new parameter values: hot paths
 * skip Kysely's builder and compiler (and, with the SQLite driver's statement cache, SQLite's
 * prepare). Placeholders are named; `build` receives `param(name)` to put where a value goes.
 */
export class PreparedQuery<Row, Params extends Record<string, unknown>> {
  private compiled: CompiledQuery<Row> | null = null;
  private slots: Array<keyof Params | null> = [];

  constructor(private readonly build: (param: (name: keyof Params & string) => string) => Compilable<Row>) {}

  /** Runs the query on `db` (a Kysely instance or transaction) with `values`. */
  async execute(db: Kysely<unknown>, values: Params): Promise<Row[]> {
    if (!this.compiled) {
      this.compiled = this.build((name) => `${sentinelPrefix}${name}`).compile();
      this.slots = this.compiled.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(sentinelPrefix) ? (p.slice(sentinelPrefix.length) as keyof Params) : null);
    }
    const compiled = this.compiled;
    const parameters = compiled.parameters.map((fixed, i) => {
      const slot = this.slots[i];
      return slot === null || slot === undefined ? fixed : values[slot];
    });
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  }
}
