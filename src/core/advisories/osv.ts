import { KuraError } from '../errors/catalogue.js';
import { advisoryPageUrl, creditTypes, type Advisory, type AdvisoryVulnerability, type ImportedAdvisory } from './advisory.js';
import { cvssBaseScore, severityOf, type Severity } from './cvss.js';

/** How one ecosystem (a format) names itself in OSV and writes ranges in its own syntax; formats supply these. */
export interface OsvEcosystem {
  /** Kura's ecosystem name: the format's id. */
  id: string;
  /** OSV's name for it (`npm`, `Maven`, `RubyGems`, `NuGet`). */
  osvName: string;
  /** The range from `lower` (inclusive; null: no lower bound) to `upper` (null: no upper bound). */
  between(lower: string | null, upper: { version: string; inclusive: boolean } | null): string;
  /** The range holding only `version`. */
  exactly(version: string): string;
}

const osvSeverity: Record<Severity, string> = { low: 'LOW', medium: 'MODERATE', high: 'HIGH', critical: 'CRITICAL' };

/** An advisory as an OSV 1.6 record: affected ranges as written (in `database_specific`), aliases, CVSS, CWEs. */
export function toOsv(advisory: Advisory, base: string, ecosystems: readonly OsvEcosystem[]) {
  return {
    schema_version: '1.6.0',
    id: advisory.ghsaId,
    modified: advisory.updatedAt,
    published: advisory.publishedAt ?? advisory.createdAt,
    aliases: [...new Set([advisory.cveId, ...advisory.aliases].filter((a): a is string => Boolean(a)))],
    summary: advisory.summary,
    details: advisory.description,
    ...(advisory.cvssVector ? { severity: [{ type: advisory.cvssVector.startsWith('CVSS:3') ? 'CVSS_V3' : 'CVSS_V4', score: advisory.cvssVector }] } : {}),
    affected: advisory.vulnerabilities.map((v) => ({
      package: { ecosystem: ecosystems.find((e) => e.id === v.package.ecosystem)?.osvName ?? v.package.ecosystem, name: v.package.name },
      database_specific: { vulnerable_version_range: v.vulnerable_version_range, patched_versions: v.patched_versions },
    })),
    references: [{ type: 'ADVISORY', url: advisoryPageUrl(advisory, base) }],
    credits: advisory.credits.map((c) => ({ name: c.login, type: (creditTypes as readonly string[]).includes(c.type) ? c.type.toUpperCase() : 'OTHER' })),
    database_specific: { severity: osvSeverity[advisory.severity], cwe_ids: advisory.cweIds, source: advisory.source, ...(advisory.repo ? { repository: advisory.repo.fullName } : {}) },
  };
}

interface OsvEvent { introduced?: string; fixed?: string; last_affected?: string }
interface OsvAffected { package?: { ecosystem?: string; name?: string }; ranges?: Array<{ type?: string; events?: OsvEvent[] }>; versions?: string[]; database_specific?: { vulnerable_version_range?: string; patched_versions?: string | null } }

/** OSV's `introduced: "0"` means "from the first version": no lower bound. */
const lowerBound = (introduced: string | null) => (introduced && introduced !== '0' ? introduced : null);

/** Vulnerable ranges of one OSV `affected` entry in Kura's per-ecosystem syntax; fixed versions become the patched versions. */
function vulnerabilitiesOf(affected: OsvAffected, ecosystems: readonly OsvEcosystem[]): AdvisoryVulnerability[] {
  const osvName = String(affected.package?.ecosystem ?? '').toLowerCase();
  const ecosystem = ecosystems.find((e) => e.osvName.toLowerCase() === osvName);
  const name = affected.package?.name;
  if (!ecosystem || !name) return [];
  const pkg = { ecosystem: ecosystem.id, name };
  if (affected.database_specific?.vulnerable_version_range) {
    return [{ package: pkg, vulnerable_version_range: affected.database_specific.vulnerable_version_range, patched_versions: affected.database_specific.patched_versions ?? null }];
  }
  const result: AdvisoryVulnerability[] = [];
  for (const range of affected.ranges ?? []) {
    let introduced: string | null = null;
    for (const event of range.events ?? []) {
      if (event.introduced !== undefined) introduced = event.introduced;
      const upper = event.fixed !== undefined ? { version: event.fixed, inclusive: false } : event.last_affected !== undefined ? { version: event.last_affected, inclusive: true } : null;
      if (upper) {
        result.push({ package: pkg, vulnerable_version_range: ecosystem.between(lowerBound(introduced), upper), patched_versions: event.fixed ?? null });
        introduced = null;
      }
    }
    if (introduced !== null) result.push({ package: pkg, vulnerable_version_range: ecosystem.between(lowerBound(introduced), null), patched_versions: null });
  }
  for (const version of affected.versions ?? []) result.push({ package: pkg, vulnerable_version_range: ecosystem.exactly(version), patched_versions: null });
  return result;
}

/**
 * Reads one OSV record (schema 1.x) into what Kura stores, each range in its ecosystem's own
 * syntax; records about none of `ecosystems` give null.
 * @throws KuraError BAD_REQUEST when the record lacks `id`, `modified` or is not an object
 */
export function fromOsv(record: unknown, ecosystems: readonly OsvEcosystem[]): ImportedAdvisory | null {
  const osv = record as { id?: unknown; modified?: unknown; published?: unknown; aliases?: unknown; summary?: unknown; details?: unknown; severity?: Array<{ type?: string; score?: string }>; affected?: OsvAffected[]; database_specific?: { severity?: string; cwe_ids?: string[] } } | null;
  if (!osv || typeof osv !== 'object' || typeof osv.id !== 'string' || typeof osv.modified !== 'string') {
    throw new KuraError('BAD_REQUEST', 'an OSV record needs at least "id" and "modified"');
  }
  const vulnerabilities = (osv.affected ?? []).flatMap((affected) => vulnerabilitiesOf(affected, ecosystems));
  if (vulnerabilities.length === 0) return null;
  const cvssVector = osv.severity?.find((s) => s.type === 'CVSS_V3' && typeof s.score === 'string')?.score ?? null;
  let score: number | null = null;
  if (cvssVector) {
    try {
      score = cvssBaseScore(cvssVector);
    } catch {
      score = null;
    }
  }
  const named = String(osv.database_specific?.severity ?? '').toLowerCase();
  const severity: Severity = named === 'moderate' ? 'medium' : (['low', 'medium', 'high', 'critical'] as const).find((s) => s === named) ?? (score !== null ? severityOf(score) : 'medium');
  return {
    id: osv.id,
    aliases: Array.isArray(osv.aliases) ? osv.aliases.filter((a): a is string => typeof a === 'string') : [],
    summary: typeof osv.summary === 'string' && osv.summary ? osv.summary : osv.id,
    details: typeof osv.details === 'string' ? osv.details : '',
    severity,
    cvssVector: score !== null ? cvssVector : null,
    cweIds: (osv.database_specific?.cwe_ids ?? []).filter((c) => /^CWE-\d+$/.test(c)),
    vulnerabilities,
    published: typeof osv.published === 'string' ? osv.published : osv.modified,
    modified: osv.modified,
  };
}
