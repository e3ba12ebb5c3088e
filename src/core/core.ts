import { AccessPolicy } from './access/access-policy.js';
import { membershipFacts } from './access/membership-facts.js';
import { AdvisoryService } from './advisories/advisory-service.js';
import { AlertService, type AlertServiceOptions } from './alerts/alert-service.js';
import { AuditTrail } from './audit/audit-trail.js';
import type { RangesOf } from './alerts/ecosystem-ranges.js';
import { BlobReader } from './blobs/blob-reader.js';
import { BlobRecords } from './blobs/blob-records.js';
import type { CoreDeps } from './context.js';
import { DownloadRecorder } from './downloads/download-recorder.js';
import { OwnerService } from './owners/owner-service.js';
import { PackageService, type PackageServiceOptions } from './packages/package-service.js';
import { RepoService } from './repos/repo-service.js';
import { ServerSecrets } from './settings/server-secrets.js';
import { CsrfTokens } from './sessions/csrf-tokens.js';
import { SessionService, type SessionLifetime } from './sessions/session-service.js';
import { SignInThrottle } from './sessions/sign-in-throttle.js';
import { TokenIssuer } from './tokens/token-issuer.js';
import { TokenService } from './tokens/token-service.js';
import { AllowedHosts } from './webhooks/address-rules.js';
import { DeliveryQueue, defaultRetryPolicy, type RetryPolicy } from './webhooks/delivery-queue.js';
import { WebhookEvents } from './webhooks/webhook-events.js';
import { WebhookService } from './webhooks/webhook-service.js';

/** The format-neutral domain: one object wiring every core service over the same deps. */
export interface Core {
  deps: CoreDeps;
  owners: OwnerService;
  repos: RepoService;
  tokens: TokenService;
  /** Creates tokens for signed-in callers, checking what they may ask for. */
  tokenIssuer: TokenIssuer;
  /** Signed-in browser sessions. */
  sessions: SessionService;
  /** Tokens that tie web forms to the visitor they were shown to. */
  csrf: CsrfTokens;
  access: AccessPolicy;
  packages: PackageService;
  downloads: DownloadRecorder;
  /** Serves blob bytes for downloads; one shared memory budget for every format. */
  blobReader: BlobReader;
  /** The `blobs` table: bytes committed outside a publish, touches before referencing. */
  blobRecords: BlobRecords;
  /** Server-wide secrets shared by every process. */
  secrets: ServerSecrets;
  /** Repositories' security advisories. */
  advisories: AdvisoryService;
  /** Alerts on repositories whose packages depend on affected versions. */
  alerts: AlertService;
  /** Webhooks of repositories, organizations and the site, and their delivery logs. */
  webhooks: WebhookService;
  /** Package changes and new alerts turned into queued deliveries, after their commits. */
  webhookEvents: WebhookEvents;
  /** Queued deliveries as their sender claims and records them. */
  webhookDeliveries: DeliveryQueue;
  /** Reads the audit log: an organization's for its owners, the site's for site admins. */
  audit: AuditTrail;
}

/** Where webhooks may reach, what links in their payloads start with, how failures are retried. */
export interface WebhookSettings {
  allowedHosts: readonly string[];
  baseUrl: () => string;
  retry?: Partial<RetryPolicy>;
}

/** What alerting needs from outside core: each ecosystem's version rules, the review rule, where failures are reported. */
export interface AlertWiring extends AlertServiceOptions {
  ranges: RangesOf;
  report?: (error: unknown, context: string) => void;
}

/** Wires the core; advisories and package changes keep the alerts current. */
export function createCore(
  deps: CoreDeps,
  options: PackageServiceOptions & { sessions?: SessionLifetime; webhooks?: WebhookSettings },
  alerting: AlertWiring = { ranges: () => null, reviewRequired: false },
): Core {
  const access = new AccessPolicy(membershipFacts(deps.db));
  const owners = new OwnerService(deps, access);
  const repos = new RepoService(deps, owners, access);
  const packages = new PackageService(deps, access, owners, repos, options);
  const advisories = new AdvisoryService(deps, access, owners);
  const alerts = new AlertService(deps, access, owners, advisories, alerting.ranges, { reviewRequired: alerting.reviewRequired }, alerting.report);
  packages.onChange((change) => alerts.packageChanged(change.packageId));
  const tokens = new TokenService(deps);
  const secrets = new ServerSecrets(deps);
  advisories.onChange((id) => alerts.advisoryChanged(id));
  repos.onVisibilityChange((repo) => advisories.repositoryVisibilityChanged(repo.id));
  const hookSettings = options.webhooks ?? { allowedHosts: [], baseUrl: () => 'http://localhost' };
  const webhooks = new WebhookService(deps, access, { allowedHosts: new AllowedHosts(hookSettings.allowedHosts), baseUrl: hookSettings.baseUrl });
  const webhookEvents = new WebhookEvents(deps, webhooks, owners, repos, advisories, hookSettings.baseUrl, alerting.report);
  packages.onChange((change) => webhookEvents.packageChanged(change));
  alerts.onCreated((created) => webhookEvents.alertsCreated(created));
  repos.onVisibilityChange((repo) => webhookEvents.repositoryVisibilityChanged(repo));
  return {
    deps,
    owners,
    repos,
    tokens,
    tokenIssuer: new TokenIssuer(access, owners, repos, tokens),
    sessions: new SessionService(deps, owners, new SignInThrottle(deps), options.sessions),
    csrf: new CsrfTokens(secrets),
    access,
    packages,
    downloads: new DownloadRecorder(deps),
    blobReader: new BlobReader(deps.blobs, deps.caches),
    blobRecords: new BlobRecords(deps),
    secrets,
    advisories,
    alerts,
    webhooks,
    webhookEvents,
    webhookDeliveries: new DeliveryQueue(deps, { ...defaultRetryPolicy, ...hookSettings.retry }),
    audit: new AuditTrail(deps, access),
  };
}
