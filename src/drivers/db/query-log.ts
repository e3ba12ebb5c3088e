import type { LogConfig } from 'kysely';

/** Receives the time of one query and whether it succeeded. */
export type QueryObserver = (seconds: number, ok: boolean) => void;

/** Kysely's log hook reporting each query to `observe`, or no hook at all. */
export function queryLog(observe: QueryObserver | undefined): LogConfig | undefined {
  return observe ? (event) => observe(event.queryDurationMillis / 1000, event.level === 'query') : undefined;
}
