import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

const sentinelPrefix = '\u0000kura-param:';

interface Compiled<Row, Params> {
  query: CompiledQuery<Row>;
  slots: Array<keyof Params | null>;
}

/**
 * A query built and compiled once per database engine, then run many times with new parameter
 * values: hot paths skip Kysely's builder and compiler (and, with the SQLite driver's statement
 * cache, SQLite's prepare). Placeholders are named; `build` receives `param(name)` to put where
 * a value goes, and the database the query is first run on (build with it, not another one, to
 * declare a query once for every database).
 */
export class PreparedQuery<Row, Params extends Record<string, unknown>> {
  /** Compiled forms by the dialect adapter of the database they were compiled for. */
  private readonly compiled = new WeakMap<object, Compiled<Row, Params>>();

  constructor(private readonly build: (param: (name: keyof Params & string) => string, db: Kysely<Database>) => Compilable<Row>) {}

  /** Runs the query on `db` (a Kysely instance or transaction) with `values`. */
  async execute(db: Kysely<unknown>, values: Params): Promise<Row[]> {
    const adapter = db.getExecutor().adapter;
    let compiled = this.compiled.get(adapter);
    if (!compiled) {
      const query = this.build((name) => `${sentinelPrefix}${name}`, db as unknown as Kysely<Database>).compile();
      const slots = query.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(sentinelPrefix) ? (p.slice(sentinelPrefix.length) as keyof Params) : null);
      compiled = { query, slots };
      this.compiled.set(adapter, compiled);
    }
    const { query, slots } = compiled;
    const parameters = query.parameters.map((fixed, i) => {
      const slot = slots[i];
      return slot === null || slot === undefined ? fixed : values[slot];
    });
    const result = await db.executeQuery<Row>({ ...query, parameters });
    return result.rows;
  }
}
