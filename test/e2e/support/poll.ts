import { setTimeout as delay } from 'node:timers/promises';

/**
 * Calls `probe` until it resolves to something other than `undefined` and returns that value.
 * Waits `intervalMs` between attempts and gives up after `timeoutMs`.
 * @throws Error naming `what` and the last observation (`describe()`) when the deadline passes.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: { what: string; timeoutMs: number; intervalMs?: number; describe?: () => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new Error(`gave up after ${options.timeoutMs} ms waiting for ${options.what}${options.describe ? `: ${options.describe()}` : ''}`);
    }
    await delay(options.intervalMs ?? 100);
  }
}
