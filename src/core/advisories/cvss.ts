import { KuraError } from '../errors/catalogue.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

const weights = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
} as const;
const privileges = { U: { N: 0.85, L: 0.62, H: 0.27 }, C: { N: 0.85, L: 0.68, H: 0.5 } } as const;

/** CVSS v3's round-up to one decimal. */
const roundUp = (value: number) => {
  const integer = Math.round(value * 100_000);
  return integer % 10_000 === 0 ? integer / 100_000 : (Math.floor(integer / 10_000) + 1) / 10;
};

/**
 * The CVSS v3.0/v3.1 base score of a vector string (`CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H` → 9.8).
 * @throws KuraError BAD_REQUEST naming what is wrong with the vector
 */
export function cvssBaseScore(vector: string): number {
  const match = /^CVSS:3\.[01]\/(.+)$/.exec(vector.trim());
  if (!match) throw new KuraError('BAD_REQUEST', `"cvss_vector_string" must be a CVSS 3.0 or 3.1 vector (CVSS:3.1/AV:…/AC:…/PR:…/UI:…/S:…/C:…/I:…/A:…)`);
  const metrics = new Map(match[1]!.split('/').map((part) => part.split(':') as [string, string]));
  const pick = <T extends Record<string, number>>(table: T, key: string): number => {
    const value = table[metrics.get(key) as keyof T];
    if (value === undefined) throw new KuraError('BAD_REQUEST', `"cvss_vector_string" has no valid ${key} metric`);
    return value;
  };
  const scope = metrics.get('S');
  if (scope !== 'U' && scope !== 'C') throw new KuraError('BAD_REQUEST', '"cvss_vector_string" has no valid S metric');
  const impactBase = 1 - (1 - pick(weights.C, 'C')) * (1 - pick(weights.I, 'I')) * (1 - pick(weights.A, 'A'));
  const impact = scope === 'U' ? 6.42 * impactBase : 7.52 * (impactBase - 0.029) - 3.25 * (impactBase - 0.02) ** 15;
  const exploitability = 8.22 * pick(weights.AV, 'AV') * pick(weights.AC, 'AC') * pick(privileges[scope], 'PR') * pick(weights.UI, 'UI');
  if (impact <= 0) return 0;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

/** The qualitative severity of a CVSS score (0.1–3.9 low, 4–6.9 medium, 7–8.9 high, 9+ critical). */
export function severityOf(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}
