import type { DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';

/** Receives the time of one query and whether it succeeded. */
export type QueryObserver = (seconds: number, ok: boolean) => void;

/**
 * `dialect` with every query timed and reported to `observe` (or `dialect` itself when nobody
 * observes). The timing sits on the driver's connections: one clock read before and after each
 * query, where Kysely's own log hook builds an event object and awaits a logger per query.
 */
export function timedDialect(dialect: Dialect, observe: QueryObserver | undefined): Dialect {
  if (!observe) return dialect;
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => timedDriver(dialect.createDriver(), observe),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

function timedDriver(driver: Driver, observe: QueryObserver): Driver {
  const timed = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const inner = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const original = (connection: DatabaseConnection) => inner.get(connection) ?? connection;
  const wrap = (connection: DatabaseConnection): DatabaseConnection => {
    let wrapper = timed.get(connection);
    if (!wrapper) {
      wrapper = {
        executeQuery<R>(query: Parameters<DatabaseConnection['executeQuery']>[0]): Promise<QueryResult<R>> {
          const start = performance.now();
          return connection.executeQuery<R>(query).then(
            (result) => { observe((performance.now() - start) / 1000, true); return result; },
            (error: unknown) => { observe((performance.now() - start) / 1000, false); throw error; },
          );
        },
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      };
      timed.set(connection, wrapper);
      inner.set(wrapper, connection);
    }
    return wrapper;
  };
  return {
    init: () => driver.init(),
    acquireConnection: async () => wrap(await driver.acquireConnection()),
    beginTransaction: (connection: DatabaseConnection, settings: TransactionSettings) => driver.beginTransaction(original(connection), settings),
    commitTransaction: (connection: DatabaseConnection) => driver.commitTransaction(original(connection)),
    rollbackTransaction: (connection: DatabaseConnection) => driver.rollbackTransaction(original(connection)),
    ...(driver.savepoint ? { savepoint: (connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]) => driver.savepoint!(original(connection), name, compile) } : {}),
    ...(driver.rollbackToSavepoint ? { rollbackToSavepoint: (connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2]) => driver.rollbackToSavepoint!(original(connection), name, compile) } : {}),
    ...(driver.releaseSavepoint ? { releaseSavepoint: (connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2]) => driver.releaseSavepoint!(original(connection), name, compile) } : {}),
    releaseConnection: (connection: DatabaseConnection) => driver.releaseConnection(original(connection)),
    destroy: () => driver.destroy(),
  };
}
