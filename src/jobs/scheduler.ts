import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Job } from '../core/jobs/job.js';
import type { Db } from '../db/schema.js';

export type { Job };

/**
 * Runs idempotent background jobs in-process on timers. Exclusive jobs take a lease row so that,
 * with several servers on one database, one node runs each; a crashed holder's lease expires.
 */
export class JobScheduler {
  private readonly holder = randomUUID();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly now: () => Date,
    private readonly observe: (job: string, ok: boolean, seconds: number) => void = () => {},
  ) {}

  start(jobs: readonly Job[]): void {
    for (const job of jobs) {
      const timer = setInterval(() => void this.runOnce(job), job.everyMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Runs a job now (if its lease can be had); failures are logged, never thrown. */
  async runOnce(job: Job): Promise<void> {
    const task = (async () => {
      const started = performance.now();
      try {
        if (job.exclusive && !(await this.acquire(job))) return;
        await job.run();
        this.observe(job.name, true, (performance.now() - started) / 1000);
      } catch (error) {
        this.observe(job.name, false, (performance.now() - started) / 1000);
        this.logger.error({ err: error, job: job.name }, 'background job failed');
      }
    })();
    this.running.add(task);
    await task.finally(() => this.running.delete(task));
  }

  /** Stops the timers and waits for jobs in progress. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all([...this.running]);
  }

  /**
   * Takes or renews the job's lease in one statement: the upsert updates the row only when this
   * node holds it or it has expired, so of two nodes racing for it exactly one gets a row back.
   */
  private async acquire(job: Job): Promise<boolean> {
    const at = this.now();
    const now = at.toISOString();
    const expires = new Date(at.getTime() + job.everyMs * 2).toISOString();
    const row = await this.db.insertInto('job_leases').values({ job: job.name, holder: this.holder, expires_at: expires })
      .onConflict((oc) => oc.column('job')
        .doUpdateSet({ holder: this.holder, expires_at: expires })
        .where((eb) => eb.or([eb('job_leases.holder', '=', this.holder), eb('job_leases.expires_at', '<=', now)])))
      .returning('holder')
      .executeTakeFirst();
    return row !== undefined;
  }
}
