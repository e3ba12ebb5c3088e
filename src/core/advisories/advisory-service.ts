import { randomInt } from 'node:crypto';
import { ownerTarget, type AccessPolicy } from '../access/access-policy.js';
import { principalUserId, type Principal } from '../access/principal.js';
import { recordAudit, repositoryScope } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import type { OwnerService } from '../owners/owner-service.js';
import type { Tx } from '../../db/schema.js';
import type { Repository } from '../repos/repository.js';
import { creditTypes, type Advisory, type AdvisoryCredit, type AdvisoryInput, type AdvisoryVulnerability, type ImportedAdvisory } from './advisory.js';
import { cvssBaseScore, severityOf, type Severity } from './cvss.js';

/** Checks a vulnerable range in an ecosystem's own syntax; false when the ecosystem is unknown or the range malformed. */
export type RangeCheck = (ecosystem: string, range: string) => boolean;

const severities: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
const idAlphabet = '23456789cfghjmpqrvwx';
const maxText = 64 * 1024;

type Row = Awaited<ReturnType<ReturnType<AdvisoryService['rows']>['executeTakeFirstOrThrow']>>;

/**
 * Security advisories of repositories: drafted and published by the repository's admins
 * (access decides, action `manage`), read by whoever may read the repository once published.
 * Every write is one transaction with its audit row, and keeps the package index current.
 */
export class AdvisoryService {
  private readonly listeners: Array<(advisoryId: number) => Promise<void>> = [];

  constructor(
    private readonly deps: CoreDeps,
    private readonly access: AccessPolicy,
    private readonly owners: OwnerService,
  ) {}

  /** Calls `listener` after every committed change to a published advisory (publish, edit, review, import); it must not throw. */
  onChange(listener: (advisoryId: number) => Promise<void>): void {
    this.listeners.push(listener);
  }

  private async changed(advisoryId: number): Promise<void> {
    for (const listener of this.listeners) await listener(advisoryId);
  }

  /**
   * Tells the listeners about every published advisory of a repository whose visibility
   * changed: an advisory of a private repository alerts only its own owner's repositories.
   */
  async repositoryVisibilityChanged(repoId: number): Promise<void> {
    const rows = await this.deps.db.selectFrom('advisories').select('id').where('repo_id', '=', repoId).where('state', '=', 'published').execute();
    for (const row of rows) await this.changed(row.id);
  }

  /**
   * Marks a published advisory reviewed (site admins only): with review required, it then
   * alerts repositories of every owner, not only its own.
   * @throws KuraError UNAUTHENTICATED, FORBIDDEN, BAD_REQUEST (a draft)
   */
  async review(principal: Principal, advisory: Advisory): Promise<Advisory> {
    this.access.authorizeSiteAdministration(principal, `review ${advisory.ghsaId}`);
    if (advisory.state !== 'published') throw new KuraError('BAD_REQUEST', `${advisory.ghsaId} is a draft; only published advisories are reviewed`);
    if (advisory.reviewedAt === null) {
      const now = this.deps.now();
      await this.deps.db.transaction().execute(async (trx) => {
        await trx.updateTable('advisories').set({ reviewed_at: now.toISOString(), reviewed_by: principalUserId(principal) }).where('id', '=', advisory.id).execute();
        await recordAudit(trx, { actorId: principalUserId(principal), action: 'advisory.review', target: `advisory:${advisory.ghsaId}`, ...(advisory.repo ? repositoryScope(advisory.repo) : {}) }, now);
      });
      await this.changed(advisory.id);
    }
    return (await this.byId(advisory.id))!;
  }

  /** Advisories by internal id, in one query. */
  async byIds(ids: readonly number[]): Promise<Map<number, Advisory>> {
    if (ids.length === 0) return new Map();
    const rows = await this.rows().where('advisories.id', 'in', [...ids]).execute();
    return new Map(rows.map((row) => [row.id, toAdvisory(row)]));
  }

  /** Drafts an advisory. @throws KuraError BAD_REQUEST naming the field, plus access errors */
  async create(principal: Principal, repo: Repository, input: AdvisoryInput, validRange: RangeCheck): Promise<Advisory> {
    await this.authorizeManage(principal, repo);
    const fields = this.validate(input, validRange, null);
    const now = this.deps.now().toISOString();
    const ghsaId = `KURA-${[0, 1, 2].map(() => Array.from({ length: 4 }, () => idAlphabet[randomInt(idAlphabet.length)]).join('')).join('-')}`;
    const published = input.state === 'published';
    const id = await this.deps.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('advisories').values({
        ghsa_id: ghsaId, repo_id: repo.id, source: 'kura', aliases: '[]', state: published ? 'published' : 'draft', ...fields.columns,
        author_id: principalUserId(principal), created_at: now, updated_at: now, published_at: published ? now : null,
      }).returning('id').executeTakeFirstOrThrow();
      await this.indexPackages(trx, row.id, fields.vulnerabilities);
      await recordAudit(trx, { actorId: principalUserId(principal), action: published ? 'advisory.publish' : 'advisory.create', target: `advisory:${ghsaId}`, ...repositoryScope(repo), meta: { repo: repo.fullName } }, new Date(now));
      return row.id;
    });
    if (published) await this.changed(id);
    return (await this.byId(id))!;
  }

  /** Changes fields or publishes (`state: "published"`); a published advisory stays published. */
  async update(principal: Principal, advisory: Advisory, input: AdvisoryInput, validRange: RangeCheck): Promise<Advisory> {
    if (!advisory.repo) throw new KuraError('FORBIDDEN', `${advisory.ghsaId} was imported from OSV; import a newer file to change it`);
    const repo = await this.repoOf(advisory.repo);
    await this.authorizeManage(principal, repo);
    if (input.state !== undefined && input.state !== 'published' && input.state !== advisory.state) {
      throw new KuraError('BAD_REQUEST', advisory.state === 'published' ? 'a published advisory cannot go back to draft' : '"state" must be "published" or "draft"');
    }
    const fields = this.validate(input, validRange, advisory);
    const now = this.deps.now().toISOString();
    const publishing = input.state === 'published' && advisory.state === 'draft';
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('advisories').set({ ...fields.columns, updated_at: now, ...(publishing ? { state: 'published', published_at: now } : {}) })
        .where('id', '=', advisory.id).execute();
      await trx.deleteFrom('advisory_packages').where('advisory_id', '=', advisory.id).execute();
      await this.indexPackages(trx, advisory.id, fields.vulnerabilities);
      await recordAudit(trx, { actorId: principalUserId(principal), action: publishing ? 'advisory.publish' : 'advisory.update', target: `advisory:${advisory.ghsaId}`, ...repositoryScope(repo) }, new Date(now));
    });
    if (publishing || advisory.state === 'published') await this.changed(advisory.id);
    return (await this.byId(advisory.id))!;
  }

  /** The advisories of a repository the caller may see: published ones for readers, drafts too for its admins. */
  async list(principal: Principal, repo: Repository): Promise<Advisory[]> {
    await this.access.authorize(principal, 'read', await this.repositorySubject(repo));
    const admin = await this.access.permits(principal, 'manage', await this.repositorySubject(repo));
    const rows = await this.rows().where('advisories.repo_id', '=', repo.id).orderBy('advisories.id', 'desc').execute();
    return rows.map(toAdvisory).filter((a) => admin || a.state === 'published');
  }

  /**
   * An advisory by its `KURA-…` id, when the caller may see it (a draft only its repository's admins).
   * @throws KuraError UNAUTHENTICATED, NOT_FOUND
   */
  async find(principal: Principal, ghsaId: string): Promise<Advisory> {
    const id = /^kura-/i.test(ghsaId) ? `KURA-${ghsaId.slice(5).toLowerCase()}` : ghsaId;
    const row = await this.rows().where('advisories.ghsa_id', '=', id).executeTakeFirst();
    const advisory = row ? toAdvisory(row) : null;
    if (!advisory) return this.access.authorize(principal, 'read', { kind: 'missing', label: `advisory ${ghsaId}` });
    if (!advisory.repo) return advisory;
    const subject = await this.repositorySubject(await this.repoOf(advisory.repo));
    await this.access.authorize(principal, 'read', { ...subject, adminsOnly: advisory.state === 'draft' });
    return advisory;
  }

  /** Published advisories about `names` in `ecosystem` whose repositories the caller may read; one query. */
  async affecting(principal: Principal, ecosystem: string, names: readonly string[]): Promise<Array<Advisory & { matched: { name: string; range: string; patched: string | null } }>> {
    if (names.length === 0) return [];
    const rows = await this.rows()
      .innerJoin('advisory_packages', 'advisory_packages.advisory_id', 'advisories.id')
      .select(['advisory_packages.name_lower', 'advisory_packages.vulnerable_range', 'advisory_packages.patched_versions'])
      .where('advisory_packages.ecosystem', '=', ecosystem)
      .where('advisory_packages.name_lower', 'in', names.map((n) => n.toLowerCase()))
      .where('advisories.state', '=', 'published')
      .execute();
    const result = [];
    for (const row of rows) {
      const advisory = toAdvisory(row);
      if (!(await this.readable(principal, advisory))) continue;
      result.push({ ...advisory, matched: { name: row.name_lower, range: row.vulnerable_range, patched: row.patched_versions } });
    }
    return result;
  }

  /** Whether the caller may read a published advisory: imported ones are public, others follow their repository. */
  async readable(principal: Principal, advisory: Advisory): Promise<boolean> {
    if (!advisory.repo) return true;
    return this.access.permits(principal, 'read', await this.repositorySubject(await this.repoOf(advisory.repo)));
  }

  /** Every published advisory the caller may read, newest first (the OSV feed). */
  async published(principal: Principal): Promise<Advisory[]> {
    const rows = await this.rows().where('advisories.state', '=', 'published').orderBy('advisories.id', 'desc').execute();
    const result: Advisory[] = [];
    for (const row of rows) {
      const advisory = toAdvisory(row);
      if (await this.readable(principal, advisory)) result.push(advisory);
    }
    return result;
  }

  /**
   * Stores advisories read from OSV files (published, public, marked as imported): a newer
   * `modified` replaces the stored one with the same id; older or equal ones are skipped.
   * Resolves to how many were written. One transaction per advisory with its audit row.
   */
  async importOsv(entries: readonly ImportedAdvisory[], actorId: number | null): Promise<number> {
    let written = 0;
    for (const entry of entries) {
      const existing = await this.deps.db.selectFrom('advisories').select(['id', 'source', 'updated_at']).where('ghsa_id', '=', entry.id).executeTakeFirst();
      if (existing && (existing.source !== 'osv' || existing.updated_at >= entry.modified)) continue;
      await this.deps.db.transaction().execute(async (trx) => {
        const columns = {
          state: 'published' as const, summary: entry.summary, description: entry.details, severity: entry.severity, cvss_vector: entry.cvssVector,
          cve_id: entry.aliases.find((a) => /^CVE-/.test(a)) ?? null, cwe_ids: JSON.stringify(entry.cweIds), credits: '[]',
          vulnerabilities: JSON.stringify(entry.vulnerabilities), aliases: JSON.stringify(entry.aliases), updated_at: entry.modified, published_at: entry.published,
          reviewed_at: this.deps.now().toISOString(), reviewed_by: actorId,
        };
        let id = existing?.id;
        if (id === undefined) {
          id = (await trx.insertInto('advisories').values({ ghsa_id: entry.id, repo_id: null, source: 'osv', author_id: null, created_at: this.deps.now().toISOString(), ...columns }).returning('id').executeTakeFirstOrThrow()).id;
        } else {
          await trx.updateTable('advisories').set(columns).where('id', '=', id).execute();
          await trx.deleteFrom('advisory_packages').where('advisory_id', '=', id).execute();
        }
        await this.indexPackages(trx, id, entry.vulnerabilities);
        await recordAudit(trx, { actorId, action: 'advisory.import', target: `advisory:${entry.id}` }, this.deps.now());
        return id;
      }).then((id) => this.changed(id));
      written += 1;
    }
    return written;
  }

  /** Advisories with their repository's name and owner (one join, no query per row). */
  rows() {
    return this.deps.db.selectFrom('advisories')
      .leftJoin('repositories', 'repositories.id', 'advisories.repo_id')
      .leftJoin('owners', 'owners.id', 'repositories.owner_id')
      .selectAll('advisories')
      .select(['repositories.name as repo_name', 'repositories.owner_id as repo_owner_id', 'owners.login as owner_login']);
  }

  private async byId(id: number): Promise<Advisory | null> {
    const row = await this.rows().where('advisories.id', '=', id).executeTakeFirst();
    return row ? toAdvisory(row) : null;
  }

  private async repoOf(ref: NonNullable<Advisory['repo']>): Promise<Repository> {
    const [owner, name] = ref.fullName.split('/') as [string, string];
    const repo = await this.deps.db.selectFrom('repositories').select(['visibility', 'description', 'created_at']).where('id', '=', ref.id).executeTakeFirstOrThrow();
    return { id: ref.id, ownerId: ref.ownerId, ownerLogin: owner, name, fullName: ref.fullName, visibility: repo.visibility, description: repo.description, createdAt: repo.created_at };
  }

  private async repositorySubject(repo: Repository) {
    const owner = (await this.owners.findById(repo.ownerId))!;
    return { kind: 'repository', owner: ownerTarget(owner), repo } as const;
  }

  private async authorizeManage(principal: Principal, repo: Repository): Promise<void> {
    await this.access.authorize(principal, 'manage', await this.repositorySubject(repo));
  }

  private async indexPackages(trx: Tx, advisoryId: number, vulnerabilities: readonly AdvisoryVulnerability[]): Promise<void> {
    for (const v of vulnerabilities) {
      await trx.insertInto('advisory_packages').values({
        advisory_id: advisoryId, ecosystem: v.package.ecosystem, name_lower: v.package.name.toLowerCase(),
        vulnerable_range: v.vulnerable_version_range, patched_versions: v.patched_versions,
      }).execute();
    }
  }

  /** The columns an input sets, validated; `current` fills what a change leaves out. @throws KuraError BAD_REQUEST */
  private validate(input: AdvisoryInput, validRange: RangeCheck, current: Advisory | null) {
    const text = (field: 'summary' | 'description', fallback: string | undefined) => {
      const value = input[field] ?? fallback;
      if (typeof value !== 'string' || value.trim() === '' || value.length > maxText) throw new KuraError('BAD_REQUEST', `"${field}" is required text (at most ${maxText} characters)`);
      return value;
    };
    const cvssVector = input.cvss_vector_string === undefined ? current?.cvssVector ?? null : input.cvss_vector_string === null ? null : String(input.cvss_vector_string);
    const score = cvssVector ? cvssBaseScore(cvssVector) : null;
    const severityInput = input.severity ?? (input.cvss_vector_string !== undefined ? undefined : current?.severity);
    if (severityInput !== undefined && !severities.includes(severityInput as Severity)) throw new KuraError('BAD_REQUEST', `"severity" must be one of ${severities.join(', ')}`);
    const severity = (severityInput as Severity | undefined) ?? (score !== null ? severityOf(score) : null);
    if (!severity) throw new KuraError('BAD_REQUEST', '"severity" or "cvss_vector_string" is required');
    const cveId = input.cve_id === undefined ? current?.cveId ?? null : input.cve_id === null ? null : String(input.cve_id);
    if (cveId !== null && !/^CVE-\d{4}-\d{4,}$/.test(cveId)) throw new KuraError('BAD_REQUEST', '"cve_id" must look like CVE-2026-12345');
    const cweIds = input.cwe_ids === undefined ? current?.cweIds ?? [] : input.cwe_ids;
    if (!Array.isArray(cweIds) || !cweIds.every((c) => typeof c === 'string' && /^CWE-\d+$/.test(c))) throw new KuraError('BAD_REQUEST', '"cwe_ids" must be a list like ["CWE-79"]');
    const credits = input.credits === undefined ? current?.credits ?? [] : input.credits;
    if (!Array.isArray(credits) || !credits.every((c) => c && typeof c === 'object' && typeof (c as AdvisoryCredit).login === 'string' && (creditTypes as readonly string[]).includes(String((c as AdvisoryCredit).type ?? 'other')))) {
      throw new KuraError('BAD_REQUEST', `"credits" must be a list of {"login", "type"} with type one of ${creditTypes.join(', ')}`);
    }
    const vulnerabilities = input.vulnerabilities === undefined ? current?.vulnerabilities : input.vulnerabilities;
    if (!Array.isArray(vulnerabilities) || vulnerabilities.length === 0) throw new KuraError('BAD_REQUEST', '"vulnerabilities" must list at least one {package: {ecosystem, name}, vulnerable_version_range, patched_versions}');
    const checked = vulnerabilities.map((v, i): AdvisoryVulnerability => {
      const entry = v as Partial<AdvisoryVulnerability> | null;
      const ecosystem = entry?.package?.ecosystem;
      const name = entry?.package?.name;
      const range = entry?.vulnerable_version_range;
      if (typeof ecosystem !== 'string' || typeof name !== 'string' || name === '' || typeof range !== 'string') {
        throw new KuraError('BAD_REQUEST', `vulnerabilities[${i}] needs package.ecosystem, package.name and vulnerable_version_range`);
      }
      if (!validRange(ecosystem, range)) throw new KuraError('BAD_REQUEST', `vulnerabilities[${i}]: "${range}" is not a valid ${ecosystem} version range`);
      const patched = entry?.patched_versions ?? null;
      if (patched !== null && typeof patched !== 'string') throw new KuraError('BAD_REQUEST', `vulnerabilities[${i}].patched_versions must be text`);
      return { package: { ecosystem, name }, vulnerable_version_range: range, patched_versions: patched };
    });
    return {
      vulnerabilities: checked,
      columns: {
        summary: text('summary', current?.summary), description: text('description', current?.description), severity,
        cvss_vector: cvssVector, cve_id: cveId, cwe_ids: JSON.stringify(cweIds), credits: JSON.stringify(credits), vulnerabilities: JSON.stringify(checked),
      },
    };
  }
}

function toAdvisory(row: Row): Advisory {
  return {
    id: row.id,
    ghsaId: row.ghsa_id,
    repo: row.repo_id !== null && row.repo_owner_id !== null ? { id: row.repo_id, ownerId: row.repo_owner_id, fullName: `${row.owner_login}/${row.repo_name}` } : null,
    source: row.source,
    aliases: JSON.parse(row.aliases) as string[],
    state: row.state,
    summary: row.summary,
    description: row.description,
    severity: row.severity,
    cvssVector: row.cvss_vector,
    cvssScore: row.cvss_vector ? cvssBaseScore(row.cvss_vector) : null,
    cveId: row.cve_id,
    cweIds: JSON.parse(row.cwe_ids) as string[],
    credits: JSON.parse(row.credits) as AdvisoryCredit[],
    vulnerabilities: JSON.parse(row.vulnerabilities) as AdvisoryVulnerability[],
    authorId: row.author_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    reviewedAt: row.reviewed_at,
  };
}
