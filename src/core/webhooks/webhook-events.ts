import type { Kysely } from 'kysely';
import { PreparedQuery } from '../../db/prepared-query.js';
import type { AdvisoryService } from '../advisories/advisory-service.js';
import type { CoreDeps } from '../context.js';
import type { OwnerService } from '../owners/owner-service.js';
import type { PackageChange } from '../packages/package-service.js';
import { PackageQueries } from '../packages/package-queries.js';
import type { RepoService } from '../repos/repo-service.js';
import type { Repository } from '../repos/repository.js';
import { queueDeliveries } from './delivery.js';
import { subscribes, type WebhookEvent } from './webhook.js';
import { alertPayload, packagePayload } from './webhook-payloads.js';
import type { WebhookService } from './webhook-service.js';

/** An alert just raised: its repository and number. */
export interface CreatedAlert {
  repoId: number;
  number: number;
}

/** Which webhook event each package change is (audit actions Kura emits after a commit). */
const packageEvents: Readonly<Record<string, { event: WebhookEvent; action: string }>> = {
  'version.publish': { event: 'package.published', action: 'published' },
  'file.replaced': { event: 'package.updated', action: 'updated' },
  'tag.set': { event: 'package.updated', action: 'updated' },
  'tag.remove': { event: 'package.updated', action: 'updated' },
  'version.deprecate': { event: 'package.updated', action: 'updated' },
  'package.visibility': { event: 'package.updated', action: 'updated' },
  'package.link': { event: 'package.updated', action: 'updated' },
  'package.unlink': { event: 'package.updated', action: 'updated' },
  'package.access.inherit': { event: 'package.updated', action: 'updated' },
  'package.access.own': { event: 'package.updated', action: 'updated' },
  'repository.visibility': { event: 'package.updated', action: 'updated' },
  'version.delete': { event: 'package.deleted', action: 'deleted' },
  'version.expire': { event: 'package.deleted', action: 'deleted' },
  'package.delete': { event: 'package.deleted', action: 'deleted' },
  'version.restore': { event: 'package.restored', action: 'restored' },
  'package.restore': { event: 'package.restored', action: 'restored' },
};

/**
 * The webhook event a package change is, or null for changes that are none: a file added to a
 * version that already existed is part of that version's publish (a Maven deploy uploads file by
 * file); the upload that created the version is its `published`.
 */
export function packageEventOf(change: PackageChange): { event: WebhookEvent; action: string } | null {
  if (change.action === 'file.created') return change.meta?.['versionCreated'] === true ? packageEvents['version.publish']! : null;
  return packageEvents[change.action] ?? null;
}

/**
 * Turns committed changes into queued deliveries: package changes (`package.*`) and new alerts
 * (`alert.created`) are queued in memory and worked off in order after the write that made them,
 * so a publish never waits for webhooks and never fails because of them. For each, every active
 * webhook whose scope covers it (its repository's, its owner organization's, the site's) that
 * subscribed to the event gets a delivery row, with the payload rendered once.
 */
export class WebhookEvents {
  private readonly pending: Array<() => Promise<number>> = [];
  private draining: Promise<void> | null = null;

  /** Package reads as they are now (nothing reused: a payload shows the committed change). */
  private readonly queries: PackageQueries;

  constructor(
    private readonly deps: CoreDeps,
    private readonly hooks: WebhookService,
    private readonly owners: OwnerService,
    private readonly repos: RepoService,
    private readonly advisories: AdvisoryService,
    private readonly baseUrl: () => string,
    private readonly report: (error: unknown, context: string) => void = () => {},
  ) {
    this.queries = new PackageQueries(deps.db);
  }

  /** Queues the deliveries of a package change; resolves at once. See {@link settled}. */
  packageChanged(change: PackageChange): Promise<void> {
    const kind = packageEventOf(change);
    if (kind) this.enqueue(() => this.queuePackageEvent(change, kind.event, kind.action), `webhooks for ${change.action} of package ${change.packageId}`);
    return Promise.resolve();
  }

  /** Queues a `package.updated` delivery for each live package that inherits the access of a repository whose visibility changed. */
  repositoryVisibilityChanged(repo: Repository): Promise<void> {
    this.enqueue(async () => {
      let queued = 0;
      for (const pkg of await this.queries.listByOwner(repo.ownerId, { repoId: repo.id })) {
        if (!pkg.inheritsAccess) continue;
        const change = { packageId: pkg.id, format: pkg.format, action: 'repository.visibility', actorId: null, meta: { repository: repo.fullName, visibility: repo.visibility } };
        queued += await this.queuePackageEvent(change, 'package.updated', 'updated');
      }
      return queued;
    }, `webhooks for the visibility of repository ${repo.fullName}`);
    return Promise.resolve();
  }

  /** Queues the `alert.created` deliveries of new alerts. */
  alertsCreated(alerts: readonly CreatedAlert[]): void {
    for (const alert of alerts) this.enqueue(() => this.queueAlertEvent(alert), `webhooks for alert ${alert.number} of repository ${alert.repoId}`);
  }

  /** Resolves once every queued change has been turned into deliveries. */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private enqueue(task: () => Promise<number>, context: string): void {
    this.pending.push(async () => {
      try {
        return await task();
      } catch (error) {
        this.report(error, context);
        return 0;
      }
    });
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    // Starts once the answer to the request that made the change has been written.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      let queued = 0;
      for (let task = this.pending.shift(); task; task = this.pending.shift()) {
        queued += await task();
      }
      if (queued > 0) this.hooks.queued();
    } finally {
      this.draining = null;
    }
  }

  /** The active webhooks covering a repository set and an owner, that subscribed to `event`. */
  private async hooksFor(event: WebhookEvent, repoIds: readonly number[], ownerId: number | null) {
    const rows = await this.deps.db.selectFrom('webhooks').select(['id', 'events']).where('active', '=', 1)
      .where((eb) => eb.or([
        eb('scope', '=', 'site'),
        ...(repoIds.length > 0 ? [eb.and([eb('scope', '=', 'repository'), eb('repo_id', 'in', [...repoIds])])] : []),
        ...(ownerId !== null ? [eb.and([eb('scope', '=', 'organization'), eb('owner_id', '=', ownerId)])] : []),
      ]))
      .orderBy('id')
      .execute();
    return rows.filter((r) => subscribes(JSON.parse(r.events) as string[], event));
  }

  private async queuePackageEvent(change: PackageChange, event: WebhookEvent, action: string): Promise<number> {
    if ((await anyActiveWebhook.execute(this.deps.db as Kysely<unknown>, {})).length === 0) return 0;
    const queries = this.queries;
    const pkg = await queries.findById(change.packageId);
    if (!pkg) return 0;
    const meta = change.meta ?? {};
    const repoIds = new Set<number>(pkg.repo ? [pkg.repo.id] : []);
    // A package linked elsewhere or unlinked still tells the repository it left.
    const left = typeof meta['previous'] === 'string' ? meta['previous'] : change.action === 'package.unlink' && typeof meta['repository'] === 'string' ? meta['repository'] : null;
    if (left) {
      const [login, name] = left.split('/');
      const repo = login && name ? await this.repos.find(login, name) : null;
      if (repo) repoIds.add(repo.id);
    }
    const hooks = await this.hooksFor(event, [...repoIds], pkg.ownerKind === 'org' ? pkg.ownerId : null);
    if (hooks.length === 0) return 0;

    const versionId = typeof meta['versionId'] === 'number' ? meta['versionId'] : null;
    const versionName = typeof meta['version'] === 'string' ? meta['version'] : null;
    const found = versionId !== null ? await queries.versionById(versionId) : versionName !== null ? await queries.version(pkg.id, versionName) : null;
    // The package is read as it is now, moments after the change; what the change itself did is
    // shown as it did it, even when a later change already undid it.
    const at = change.at ?? this.deps.now().toISOString();
    const version = found && change.action === 'version.delete' ? { ...found, deletedAt: found.deletedAt ?? at }
      : found && change.action === 'version.restore' ? { ...found, deletedAt: null } : found;
    const shown = change.action === 'package.delete' ? { ...pkg, deletedAt: pkg.deletedAt ?? at }
      : change.action === 'package.restore' ? { ...pkg, deletedAt: null } : pkg;
    const [files, tags, author, sender, repoOwner] = await Promise.all([
      version && !version.purgedAt ? queries.filesOf(version.id) : [],
      version ? queries.tags(pkg.id) : [],
      version?.publisherId ? this.owners.findById(version.publisherId) : null,
      change.actorId ? this.owners.findById(change.actorId) : null,
      pkg.repo ? this.repos.findById(pkg.repo.id) : null,
    ]);
    const { versionId: _id, versionCreated: _created, ...details } = meta;
    const payload = JSON.stringify(packagePayload({
      action,
      pkg: shown,
      version,
      files,
      tags: tags.filter((t) => t.versionId === version?.id).map((t) => t.name),
      author,
      change: { action: change.action, at, ...details },
      repository: repoOwner ? { repo: repoOwner, owner: { id: pkg.ownerId, login: pkg.ownerLogin, kind: pkg.ownerKind } } : null,
      organization: pkg.ownerKind === 'org' ? { id: pkg.ownerId, login: pkg.ownerLogin, kind: pkg.ownerKind } : null,
      sender,
    }, this.baseUrl()));
    return queueDeliveries(this.deps.db, hooks.map((h) => ({ hookId: h.id, event: 'package', action, repoId: pkg.repo?.id ?? null, payload })), this.deps.now());
  }

  private async queueAlertEvent(created: CreatedAlert): Promise<number> {
    const row = await this.deps.db.selectFrom('alerts').innerJoin('packages', 'packages.id', 'alerts.package_id')
      .selectAll('alerts').select(['packages.name as package_name', 'packages.format as package_format'])
      .where('alerts.repo_id', '=', created.repoId).where('alerts.number', '=', created.number).executeTakeFirst();
    const repo = row ? await this.repos.findById(row.repo_id) : null;
    if (!row || !repo) return 0;
    const owner = await this.owners.findById(repo.ownerId);
    if (!owner) return 0;
    const hooks = await this.hooksFor('alert.created', [repo.id], owner.kind === 'org' ? owner.id : null);
    if (hooks.length === 0) return 0;
    const advisory = (await this.advisories.byIds([row.advisory_id])).get(row.advisory_id);
    if (!advisory) return 0;
    const payload = JSON.stringify(alertPayload({
      number: row.number, state: row.state, ecosystem: row.ecosystem, dependency: row.dependency_lower, path: JSON.parse(row.path) as string[],
      declaredRange: row.declared_range, scope: row.scope, version: row.version, createdAt: row.created_at,
      pkg: { id: row.package_id, format: row.package_format, name: row.package_name }, advisory, repo, owner,
    }, this.baseUrl()));
    return queueDeliveries(this.deps.db, hooks.map((h) => ({ hookId: h.id, event: 'alert', action: 'created', repoId: repo.id, payload })), this.deps.now());
  }
}

/** Whether any webhook is active; asked after every package change, so compiled once. */
const anyActiveWebhook = new PreparedQuery<{ id: number }, Record<string, never>>((_param, db) => db.selectFrom('webhooks').select('id').where('active', '=', 1).limit(1));
