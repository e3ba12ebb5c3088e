import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';

/** How many failed sign-ins, within how long, lock an account or an address out. */
export interface ThrottleLimits {
  windowMinutes: number;
  perAccount: number;
  perAddress: number;
}

export const defaultThrottleLimits: ThrottleLimits = { windowMinutes: 15, perAccount: 5, perAddress: 20 };

/**
 * Counts failed sign-ins per account and per client address in the database, so every node
 * sees the same count. Once either reaches its limit within the window, sign-ins for it are
 * refused, even with the right password, until the oldest failure leaves the window.
 */
export class SignInThrottle {
  constructor(
    private readonly deps: CoreDeps,
    private readonly limits: ThrottleLimits = defaultThrottleLimits,
  ) {}

  /** @throws KuraError TOO_MANY_REQUESTS (with `retryAfterSeconds` in its detail) */
  async check(login: string, address: string | null): Promise<void> {
    const since = this.windowStart();
    for (const [subject, limit] of this.subjects(login, address)) {
      const failures = await this.deps.db.selectFrom('sign_in_failures').select('at')
        .where('subject', '=', subject).where('at', '>', since.toISOString())
        .orderBy('at', 'asc').limit(limit).execute();
      if (failures.length < limit) continue;
      const freedAt = new Date(failures[0]!.at).getTime() + this.limits.windowMinutes * 60_000;
      const retryAfterSeconds = Math.max(1, Math.ceil((freedAt - this.deps.now().getTime()) / 1000));
      throw new KuraError('TOO_MANY_REQUESTS', `too many failed sign-ins; try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`, { retryAfterSeconds });
    }
  }

  /** Counts a failure against the account and the address, and forgets failures older than the window. */
  async recordFailure(login: string, address: string | null): Promise<void> {
    const now = this.deps.now().toISOString();
    await this.deps.db.insertInto('sign_in_failures')
      .values(this.subjects(login, address).map(([subject]) => ({ subject, at: now })))
      .execute();
    await this.deps.db.deleteFrom('sign_in_failures').where('at', '<=', this.windowStart().toISOString()).execute();
  }

  /** A successful sign-in clears the account's failures (not the address's). */
  async recordSuccess(login: string): Promise<void> {
    await this.deps.db.deleteFrom('sign_in_failures').where('subject', '=', accountSubject(login)).execute();
  }

  private subjects(login: string, address: string | null): Array<[string, number]> {
    const subjects: Array<[string, number]> = [[accountSubject(login), this.limits.perAccount]];
    if (address) subjects.push([`address:${address}`, this.limits.perAddress]);
    return subjects;
  }

  private windowStart(): Date {
    return new Date(this.deps.now().getTime() - this.limits.windowMinutes * 60_000);
  }
}

const accountSubject = (login: string) => `account:${login.trim().toLowerCase()}`;
