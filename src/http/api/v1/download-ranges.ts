import type { FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import { queryParam } from './pagination.js';

/** The days a downloads request covers when it names none, and the most it may name. */
export const defaultDays = 30;
export const maxDays = 366;

const dayMs = 86_400_000;

/** A range of UTC days, both ends included (YYYY-MM-DD). */
export interface DayRange {
  from: string;
  to: string;
}

const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);

/** The time of a `YYYY-MM-DD` query value at 00:00 UTC. @throws KuraError BAD_REQUEST when it is not a real day */
function parseDay(name: string, text: string): number {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (Number.isNaN(time) || dayOf(time) !== text) throw new KuraError('BAD_REQUEST', `"${name}" must be a day as YYYY-MM-DD, not "${text}"`);
  return time;
}

/**
 * The days `from` and `to` name (`YYYY-MM-DD`, UTC, both included). Without `to`, today; without
 * `from`, the 30 days ending at `to`. At most 366 days.
 * @throws KuraError BAD_REQUEST for malformed days, `from` after `to`, or a longer range
 */
export function dayRange(request: FastifyRequest, now: Date): DayRange {
  const fromText = queryParam(request, 'from');
  const toText = queryParam(request, 'to');
  const to = toText === undefined ? parseDay('to', dayOf(now.getTime())) : parseDay('to', toText);
  const from = fromText === undefined ? to - (defaultDays - 1) * dayMs : parseDay('from', fromText);
  if (from > to) throw new KuraError('BAD_REQUEST', `"from" (${dayOf(from)}) is after "to" (${dayOf(to)})`);
  const days = (to - from) / dayMs + 1;
  if (days > maxDays) throw new KuraError('BAD_REQUEST', `the range from ${dayOf(from)} to ${dayOf(to)} has ${days} days; ask for at most ${maxDays}`);
  return { from: dayOf(from), to: dayOf(to) };
}

/** Downloads per day over `range`, every day listed (0 for days without downloads), oldest first, and their total. */
export function presentDownloads(range: DayRange, counted: ReadonlyArray<{ day: string; count: number }>) {
  const byDay = new Map(counted.map((d) => [d.day, d.count]));
  const days: Array<{ day: string; count: number }> = [];
  for (let time = Date.parse(`${range.from}T00:00:00Z`), end = Date.parse(`${range.to}T00:00:00Z`); time <= end; time += dayMs) {
    const day = dayOf(time);
    days.push({ day, count: byDay.get(day) ?? 0 });
  }
  return { from: range.from, to: range.to, total: days.reduce((n, d) => n + d.count, 0), days };
}
