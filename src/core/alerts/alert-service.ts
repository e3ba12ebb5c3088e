import { ownerTarget, type AccessPolicy } from '../access/access-policy.js';
import { principalUserId, type Principal } from '../access/principal.js';
import type { AdvisoryService } from '../advisories/advisory-service.js';
import { recordAudit, repositoryScope } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { KuraError } from '../errors/catalogue.js';
import type { OwnerService } from '../owners/owner-service.js';
import type { Repository } from '../repos/repository.js';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { PreparedQuery } from '../../db/prepared-query.js';
import type { AlertsTable, DbOrTx, Tx } from '../../db/schema.js';
import { dismissReasons, firstPatchedVersion, type Alert, type AlertState, type DismissReason } from './alert.js';
import { AlertEngine, findingKey, type AlertingAdvisory, type Finding } from './alert-engine.js';
import { DependencyGraph } from './dependency-graph.js';
import type { RangesOf } from './ecosystem-ranges.js';

export interface AlertServiceOptions {
  /** Published advisories alert other owners' repositories only once a site admin reviewed them. */
  reviewRequired: boolean;
}

/** What a caller may filter a repository's alerts by. */
export interface AlertFilter {
  state?: AlertState[];
  severity?: string[];
  ecosystem?: string[];
  package?: string[];
}

type AlertRow = Selectable<AlertsTable>;

/**
 * Alerts on repositories whose packages depend on affected versions: kept current after every
 * advisory change and every package change (incrementally, from the dependency index), read by
 * whoever may read the repository, dismissed and reopened by those who may write to it.
 */
export class AlertService {
  private readonly graph: DependencyGraph;
  private readonly engine: AlertEngine;
  /** Packages whose alerts wait to be brought up to date, in order; worked off one at a time after the writes that changed them. */
  private readonly pending = new Set<number>();
  private draining: Promise<void> | null = null;
  private readonly createdListeners: Array<(alerts: Array<{ repoId: number; number: number }>) => void> = [];

  constructor(
    private readonly deps: CoreDeps,
    private readonly access: AccessPolicy,
    private readonly owners: OwnerService,
    private readonly advisories: AdvisoryService,
    private readonly ranges: RangesOf,
    private readonly options: AlertServiceOptions,
    private readonly report: (error: unknown, context: string) => void = () => {},
  ) {
    this.graph = new DependencyGraph(deps.db);
    this.engine = new AlertEngine(this.graph, ranges);
  }

  /** Calls `listener` with the alerts each commit raised (new ones, not reopened ones); it must not throw. */
  onCreated(listener: (alerts: Array<{ repoId: number; number: number }>) => void): void {
    this.createdListeners.push(listener);
  }

  /** Brings the alerts of one advisory up to date (after it is published, changed or reviewed). Never throws. */
  async advisoryChanged(advisoryId: number): Promise<void> {
    try {
      const advisory = await this.alertingAdvisory(advisoryId);
      const vulnerabilities = advisory ? (await this.deps.db.selectFrom('advisory_packages').select(['ecosystem', 'name_lower', 'vulnerable_range']).where('advisory_id', '=', advisoryId).execute())
        .map((v) => ({ ecosystem: v.ecosystem, name: v.name_lower, range: v.vulnerable_range })) : [];
      const findings = advisory ? await this.engine.findingsOfAdvisory(advisory, vulnerabilities) : [];
      await this.apply({ advisoryId }, findings);
    } catch (error) {
      this.report(error, `alerts of advisory ${advisoryId}`);
    }
  }

  /**
   * Queues bringing the alerts of one package up to date after it changed (a version published,
   * a tag moved, a deletion); resolves at once, so a publish never waits for alerting. See
   * {@link settled}.
   */
  packageChanged(packageId: number): Promise<void> {
    this.pending.add(packageId);
    this.draining ??= this.drain();
    return Promise.resolve();
  }

  /** Resolves once every queued package change has been worked off. */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // Starts once the answer to the request that made the change has been written.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      for (const id of this.pending) {
        this.pending.delete(id);
        await this.refreshAround(id);
      }
    } finally {
      this.draining = null;
    }
  }

  /**
   * Brings the alerts of one package up to date, then those of the packages whose open alerts
   * pass through it, and, when it now reaches an affected version itself, those of its direct
   * dependents. Never throws.
   */
  private async refreshAround(packageId: number): Promise<void> {
    try {
      if (!(await this.anythingToAlert())) return;
      const findings = await this.refreshPackage(packageId);
      const pkg = await this.deps.db.selectFrom('packages').select(['format', 'name_lower']).where('id', '=', packageId).executeTakeFirst();
      if (!pkg) return;
      const others = new Set(await this.packagesAlertedThrough(pkg.format, pkg.name_lower));
      if (findings.length > 0) {
        for (const edge of await this.graph.dependentsOf(pkg.format, [pkg.name_lower])) if (edge.latest) others.add(edge.packageId);
      }
      others.delete(packageId);
      for (const other of others) await this.refreshPackage(other);
    } catch (error) {
      this.report(error, `alerts of package ${packageId}`);
    }
  }

  /**
   * A repository's alerts the caller may see, newest first; with `page`, `limit` of them after
   * `offset` (fetch one more than shown to know whether a next page exists).
   * @throws KuraError access errors
   */
  async list(principal: Principal, repo: Repository, filter: AlertFilter = {}, page?: { limit: number; offset: number }): Promise<Alert[]> {
    await this.access.authorize(principal, 'read', await this.repositorySubject(repo));
    let query = this.deps.db.selectFrom('alerts').innerJoin('packages', 'packages.id', 'alerts.package_id').innerJoin('advisories', 'advisories.id', 'alerts.advisory_id')
      .selectAll('alerts').select(['packages.name as package_name', 'packages.format as package_format']).where('alerts.repo_id', '=', repo.id);
    if (filter.state?.length) query = query.where('alerts.state', 'in', filter.state);
    if (filter.ecosystem?.length) query = query.where('alerts.ecosystem', 'in', filter.ecosystem);
    if (filter.severity?.length) query = query.where('advisories.severity', 'in', filter.severity as Array<'low'>);
    if (filter.package?.length) query = query.where('alerts.dependency_lower', 'in', filter.package.map((p) => p.toLowerCase()));
    query = query.orderBy('alerts.number', 'desc');
    if (page) query = query.limit(page.limit).offset(page.offset);
    return this.present(repo, await query.execute());
  }

  /** One alert by number. @throws KuraError access errors, NOT_FOUND */
  async find(principal: Principal, repo: Repository, number: number): Promise<Alert> {
    await this.access.authorize(principal, 'read', await this.repositorySubject(repo));
    const rows = await this.deps.db.selectFrom('alerts').innerJoin('packages', 'packages.id', 'alerts.package_id')
      .selectAll('alerts').select(['packages.name as package_name', 'packages.format as package_format'])
      .where('alerts.repo_id', '=', repo.id).where('alerts.number', '=', number).execute();
    const [alert] = await this.present(repo, rows);
    if (!alert) throw new KuraError('NOT_FOUND', `${repo.fullName} has no alert ${number}`);
    return alert;
  }

  /**
   * Dismisses (with a reason) or reopens an alert; whoever may write to the repository may.
   * @throws KuraError access errors, NOT_FOUND, BAD_REQUEST naming the field
   */
  async update(principal: Principal, repo: Repository, number: number, change: { state?: unknown; dismissed_reason?: unknown; dismissed_comment?: unknown }): Promise<Alert> {
    const alert = await this.find(principal, repo, number);
    await this.access.authorize(principal, 'write', await this.repositorySubject(repo));
    const now = this.deps.now().toISOString();
    if (change.state === 'dismissed') {
      if (!dismissReasons.includes(change.dismissed_reason as DismissReason)) throw new KuraError('BAD_REQUEST', `"dismissed_reason" must be one of ${dismissReasons.join(', ')}`);
      const comment = change.dismissed_comment === undefined || change.dismissed_comment === null ? null : String(change.dismissed_comment);
      if (comment !== null && comment.length > 280) throw new KuraError('BAD_REQUEST', '"dismissed_comment" is at most 280 characters');
      if (alert.state !== 'open' && alert.state !== 'dismissed') throw new KuraError('BAD_REQUEST', `alert ${number} is ${alert.state}; only open alerts can be dismissed`);
      await this.writeAlert(principal, repo, number, 'alert.dismiss', { state: 'dismissed', dismissed_reason: change.dismissed_reason as DismissReason, dismissed_comment: comment, dismissed_by: principalUserId(principal), dismissed_at: now, updated_at: now });
    } else if (change.state === 'open') {
      if (alert.state !== 'dismissed' && alert.state !== 'open') throw new KuraError('BAD_REQUEST', `alert ${number} is ${alert.state}; only dismissed alerts can be reopened`);
      await this.writeAlert(principal, repo, number, 'alert.reopen', { state: 'open', dismissed_reason: null, dismissed_comment: null, dismissed_by: null, dismissed_at: null, updated_at: now });
    } else {
      throw new KuraError('BAD_REQUEST', '"state" must be "dismissed" (with "dismissed_reason") or "open"');
    }
    return this.find(principal, repo, number);
  }

  private async writeAlert(principal: Principal, repo: Repository, number: number, action: string, set: Updateable<AlertsTable>): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('alerts').set(set).where('repo_id', '=', repo.id).where('number', '=', number).execute();
      await recordAudit(trx, { actorId: principalUserId(principal), action, target: `repo:${repo.fullName}`, ...repositoryScope(repo), meta: { alert: number, reason: set.dismissed_reason ?? undefined } }, this.deps.now());
    });
  }

  private async refreshPackage(packageId: number): Promise<Finding[]> {
    const findings = await this.engine.findingsOfPackage(packageId, (ecosystem, names) => this.advisoriesOn(ecosystem, names));
    await this.apply({ packageId }, findings);
    return findings;
  }

  /** The packages with open alerts whose path passes through a package (its quoted name is in the path; `_` may match more, which costs only a refresh). */
  private async packagesAlertedThrough(ecosystem: string, nameLower: string): Promise<number[]> {
    const rows = await this.deps.db.selectFrom('alerts').select('package_id').distinct().where('ecosystem', '=', ecosystem).where('state', '=', 'open')
      .where('path', 'like', `%${JSON.stringify(nameLower)}%`)
      .execute();
    return rows.map((r) => r.package_id);
  }

  /** Published advisories on `names`, with what decides whom they alert; one query. */
  private async advisoriesOn(ecosystem: string, names: readonly string[]): Promise<Map<string, Array<{ advisory: AlertingAdvisory; range: string }>>> {
    const result = new Map<string, Array<{ advisory: AlertingAdvisory; range: string }>>();
    if (names.length === 0) return result;
    const rows = await this.alertingQuery(this.deps.db)
      .innerJoin('advisory_packages', 'advisory_packages.advisory_id', 'advisories.id')
      .select(['advisory_packages.name_lower', 'advisory_packages.vulnerable_range'])
      .where('advisory_packages.ecosystem', '=', ecosystem).where('advisory_packages.name_lower', 'in', [...names])
      .execute();
    for (const row of rows) result.set(row.name_lower, [...(result.get(row.name_lower) ?? []), { advisory: this.toAlerting(row), range: row.vulnerable_range }]);
    return result;
  }

  private async alertingAdvisory(id: number): Promise<AlertingAdvisory | null> {
    const row = await this.alertingQuery(this.deps.db).where('advisories.id', '=', id).executeTakeFirst();
    return row ? this.toAlerting(row) : null;
  }

  private alertingQuery(db: DbOrTx) {
    return db.selectFrom('advisories').leftJoin('repositories', 'repositories.id', 'advisories.repo_id')
      .select(['advisories.id', 'advisories.reviewed_at', 'advisories.source', 'repositories.owner_id', 'repositories.visibility'])
      .where('advisories.state', '=', 'published');
  }

  private toAlerting(row: { id: number; reviewed_at: string | null; source: string; owner_id: number | null; visibility: string | null }): AlertingAdvisory {
    const unreviewed = this.options.reviewRequired && row.reviewed_at === null && row.source !== 'osv';
    return { id: row.id, ownerId: row.owner_id, ownOwnerOnly: row.owner_id !== null && (unreviewed || row.visibility === 'private') };
  }

  /**
   * Makes the stored alerts in `scope` match `findings` in one transaction: new ones open with
   * the next numbers of their repositories, fixed ones found again reopen, open ones no longer
   * found are fixed. Dismissed alerts stay dismissed.
   */
  /** One audit row per repository whose alerts changed, counting what was opened, fixed and changed there. */
  private async auditChanges(trx: Tx, scope: { advisoryId?: number; packageId?: number }, repos: Record<'opened' | 'fixed' | 'changed', number[]>, now: string): Promise<void> {
    const counts = new Map<number, Record<'opened' | 'fixed' | 'changed', number>>();
    for (const [kind, ids] of Object.entries(repos) as Array<['opened' | 'fixed' | 'changed', number[]]>) {
      for (const id of ids) {
        const entry = counts.get(id) ?? { opened: 0, fixed: 0, changed: 0 };
        entry[kind] += 1;
        counts.set(id, entry);
      }
    }
    if (counts.size === 0) return;
    const rows = await trx.selectFrom('repositories').innerJoin('owners', 'owners.id', 'repositories.owner_id')
      .select(['repositories.id', 'repositories.owner_id', 'repositories.name', 'owners.login'])
      .where('repositories.id', 'in', [...counts.keys()]).orderBy('repositories.id').execute();
    const cause = scope.advisoryId !== undefined ? { advisoryId: scope.advisoryId } : { packageId: scope.packageId };
    for (const row of rows) {
      await recordAudit(trx, {
        actorId: null, action: 'alerts.update', target: `repo:${row.login}/${row.name}`, ...repositoryScope({ id: row.id, ownerId: row.owner_id }),
        meta: { ...counts.get(row.id), ...cause },
      }, new Date(now));
    }
  }

  private async apply(scope: { advisoryId?: number; packageId?: number }, findings: readonly Finding[]): Promise<void> {
    const wanted = new Map(findings.filter((f) => f.repoId !== null).map((f) => [findingKey(f), f]));
    if (wanted.size === 0 && !(await this.hasOpenAlerts(scope))) return;
    const created = await this.deps.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom('alerts').selectAll();
      if (scope.advisoryId !== undefined) query = query.where('advisory_id', '=', scope.advisoryId);
      if (scope.packageId !== undefined) query = query.where('package_id', '=', scope.packageId);
      const existing = await query.execute();
      if (existing.length === 0 && wanted.size === 0) return [];
      const now = this.deps.now().toISOString();
      const stored = new Map(existing.map((row) => [findingKey({ repoId: row.repo_id, packageId: row.package_id, advisoryId: row.advisory_id, dependency: row.dependency_lower }), row]));
      const fresh: Finding[] = [];
      const changedRepos: number[] = [];
      for (const [key, finding] of wanted) {
        const row = stored.get(key);
        if (!row) {
          fresh.push(finding);
          continue;
        }
        const facts = { version: finding.version, path: JSON.stringify(finding.path), declared_range: finding.declaredRange, scope: finding.scope };
        const reopen = row.state === 'fixed' || row.state === 'auto_dismissed';
        if (reopen || row.version !== facts.version || row.path !== facts.path || row.declared_range !== facts.declared_range) {
          await trx.updateTable('alerts').set({ ...facts, updated_at: now, ...(reopen ? { state: 'open', fixed_at: null, auto_dismissed_at: null } : {}) }).where('id', '=', row.id).execute();
          changedRepos.push(row.repo_id);
        }
      }
      const gone = existing.filter((row) => row.state === 'open' && !wanted.has(findingKey({ repoId: row.repo_id, packageId: row.package_id, advisoryId: row.advisory_id, dependency: row.dependency_lower })));
      for (let i = 0; i < gone.length; i += 500) {
        await trx.updateTable('alerts').set({ state: 'fixed', fixed_at: now, updated_at: now }).where('id', 'in', gone.slice(i, i + 500).map((r) => r.id)).execute();
      }
      const inserted = await this.insertAlerts(trx, fresh, now);
      await this.auditChanges(trx, scope, { opened: fresh.map((f) => f.repoId!), fixed: gone.map((r) => r.repo_id), changed: changedRepos }, now);
      return inserted;
    });
    if (created.length > 0) for (const listener of this.createdListeners) listener(created);
  }

  /** False when no advisory names any package and no alert is open: then no change can raise or close one. */
  private async anythingToAlert(): Promise<boolean> {
    const [advisories, alerts] = await Promise.all([anyAdvisoryPackage.execute(this.deps.db as Kysely<unknown>, {}), anyOpenAlert.execute(this.deps.db as Kysely<unknown>, {})]);
    return advisories.length > 0 || alerts.length > 0;
  }

  /** Whether an advisory or a package has open alerts (with no findings, only those can change). */
  private async hasOpenAlerts(scope: { advisoryId?: number; packageId?: number }): Promise<boolean> {
    let query = this.deps.db.selectFrom('alerts').select('id').where('state', '=', 'open');
    if (scope.advisoryId !== undefined) query = query.where('advisory_id', '=', scope.advisoryId);
    if (scope.packageId !== undefined) query = query.where('package_id', '=', scope.packageId);
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  }

  /** Inserts new alerts, numbered on from each repository's last; returns their repositories and numbers. */
  private async insertAlerts(trx: DbOrTx, fresh: readonly Finding[], now: string): Promise<Array<{ repoId: number; number: number }>> {
    if (fresh.length === 0) return [];
    const repoIds = [...new Set(fresh.map((f) => f.repoId!))];
    const next = new Map<number, number>();
    for (let i = 0; i < repoIds.length; i += 500) {
      const rows = await trx.selectFrom('alerts').select(['repo_id', (eb) => eb.fn.max('number').as('max')]).where('repo_id', 'in', repoIds.slice(i, i + 500)).groupBy('repo_id').execute();
      for (const row of rows) next.set(row.repo_id, Number(row.max));
    }
    const values = fresh.map((f) => {
      const number = (next.get(f.repoId!) ?? 0) + 1;
      next.set(f.repoId!, number);
      return {
        repo_id: f.repoId!, number, advisory_id: f.advisoryId, package_id: f.packageId, ecosystem: f.ecosystem, dependency_lower: f.dependency,
        version: f.version, path: JSON.stringify(f.path), declared_range: f.declaredRange, scope: f.scope, state: 'open' as const,
        dismissed_reason: null, dismissed_comment: null, dismissed_by: null, dismissed_at: null, fixed_at: null, auto_dismissed_at: null, created_at: now, updated_at: now,
      };
    });
    for (let i = 0; i < values.length; i += 100) await trx.insertInto('alerts').values(values.slice(i, i + 100)).execute();
    return values.map((v) => ({ repoId: v.repo_id, number: v.number }));
  }

  private async present(repo: Repository, rows: ReadonlyArray<AlertRow & { package_name: string; package_format: string }>): Promise<Alert[]> {
    const advisories = await this.advisories.byIds([...new Set(rows.map((r) => r.advisory_id))]);
    const dismisserIds = [...new Set(rows.map((r) => r.dismissed_by).filter((id): id is number => id !== null))];
    const dismissers = new Map(dismisserIds.length === 0 ? [] : (await this.deps.db.selectFrom('owners').select(['id', 'login']).where('id', 'in', dismisserIds).execute()).map((o) => [o.id, o.login]));
    return rows.flatMap((row): Alert[] => {
      const advisory = advisories.get(row.advisory_id);
      if (!advisory) return [];
      const vulnerability = advisory.vulnerabilities.find((v) => v.package.ecosystem === row.ecosystem && v.package.name.toLowerCase() === row.dependency_lower);
      const path = JSON.parse(row.path) as string[];
      const firstPatched = firstPatchedVersion(vulnerability?.patched_versions ?? null);
      return [{
        number: row.number, repo: { id: repo.id, fullName: repo.fullName }, state: row.state, advisory,
        package: { id: row.package_id, format: row.package_format, name: row.package_name }, version: row.version, ecosystem: row.ecosystem,
        dependency: row.dependency_lower, path, declaredRange: row.declared_range, scope: row.scope,
        vulnerableRange: vulnerability?.vulnerable_version_range ?? '', patchedVersions: vulnerability?.patched_versions ?? null, firstPatched,
        patchedAdmitted: path.length === 2 && firstPatched !== null ? this.admits(row.ecosystem, row.declared_range, firstPatched) : null,
        dismissedReason: row.dismissed_reason as DismissReason | null, dismissedComment: row.dismissed_comment,
        dismissedBy: row.dismissed_by === null ? null : dismissers.get(row.dismissed_by) ?? null, dismissedAt: row.dismissed_at,
        fixedAt: row.fixed_at, createdAt: row.created_at, updatedAt: row.updated_at,
      }];
    });
  }

  private admits(ecosystem: string, range: string, version: string): boolean | null {
    try {
      return this.ranges(ecosystem)?.admits(range, version) ?? null;
    } catch {
      return null;
    }
  }

  private async repositorySubject(repo: Repository) {
    const owner = (await this.owners.findById(repo.ownerId))!;
    return { kind: 'repository', owner: ownerTarget(owner), repo } as const;
  }
}

/** Whether any advisory names a package; asked after every package change, so compiled once. */
const anyAdvisoryPackage = new PreparedQuery<{ advisory_id: number }, Record<string, never>>((_param, db) => db.selectFrom('advisory_packages').select('advisory_id').limit(1));
/** Whether any alert is open; asked after every package change, so compiled once. */
const anyOpenAlert = new PreparedQuery<{ id: number }, Record<string, never>>((_param, db) => db.selectFrom('alerts').select('id').where('state', '=', 'open').limit(1));
