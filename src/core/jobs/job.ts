/** A background job: idempotent, safe to run while the server serves, started on a timer. */
export interface Job {
  name: string;
  everyMs: number;
  /** Whether one node at a time runs it (a lease in the database) or every process does. */
  exclusive: boolean;
  run(): Promise<void>;
}
