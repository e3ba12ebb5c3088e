import type { Advisory } from '../advisories/advisory.js';
import type { Owner } from '../owners/owner.js';
import { effectiveVisibility, type FileRecord, type PackageRecord, type VersionRecord } from '../packages/package.js';
import type { Repository } from '../repos/repository.js';
import type { HookScope, Webhook } from './webhook.js';

/**
 * The JSON documents webhooks deliver, shaped like GitHub's: the `package` event (`published`,
 * `updated`, `deleted`, `restored`), the `alert` event (GitHub's `dependabot_alert`, `created`)
 * and `ping`. Rendered once, when the delivery is queued; links use the public base URL.
 */

type OwnerLike = Pick<Owner, 'id' | 'login' | 'kind'>;

/** A user or organization as payloads show it (`sender`, `owner`, `organization`). */
export function ownerPayload(owner: OwnerLike, base: string) {
  return {
    login: owner.login,
    id: owner.id,
    type: owner.kind === 'org' ? 'Organization' : 'User',
    url: `${base}/api/v1/${owner.kind === 'org' ? 'orgs' : 'users'}/${owner.login}`,
    html_url: `${base}/${owner.login}`,
  };
}

/** A repository in GitHub's shape. */
export function repositoryPayload(repo: Repository, owner: OwnerLike, base: string) {
  return {
    id: repo.id,
    name: repo.name,
    full_name: repo.fullName,
    private: repo.visibility === 'private',
    visibility: repo.visibility,
    description: repo.description,
    owner: ownerPayload(owner, base),
    html_url: `${base}/${repo.fullName}`,
    url: `${base}/api/v1/repos/${repo.fullName}`,
    created_at: repo.createdAt,
  };
}

/** The API path of a webhook: `/api/v1/repos/O/R/hooks/ID`, `/api/v1/orgs/O/hooks/ID`, `/api/v1/hooks/ID`. */
export function hookPath(scope: HookScope, id: number): string {
  const prefix = scope.kind === 'repository' ? `/repos/${scope.repo.fullName}` : scope.kind === 'organization' ? `/orgs/${scope.org.login}` : '';
  return `/api/v1${prefix}/hooks/${id}`;
}

/** A webhook in GitHub's shape: the secret shows as `********` when one is set. */
export function presentHook(hook: Webhook, scope: HookScope, base: string) {
  const url = base + hookPath(scope, hook.id);
  return {
    type: scope.kind === 'repository' ? 'Repository' : scope.kind === 'organization' ? 'Organization' : 'Site',
    id: hook.id,
    name: 'web',
    active: hook.active,
    events: hook.events,
    config: {
      url: hook.url,
      content_type: hook.contentType,
      insecure_ssl: hook.insecureSsl ? '1' : '0',
      ...(hook.hasSecret ? { secret: '********' } : {}),
    },
    updated_at: hook.updatedAt,
    created_at: hook.createdAt,
    url,
    ping_url: `${url}/pings`,
    deliveries_url: `${url}/deliveries`,
    last_response: hook.lastResponse,
  };
}

/** What a package event says about its package. */
export interface PackageEventFacts {
  /** `published`, `updated`, `deleted` or `restored`. */
  action: string;
  pkg: PackageRecord;
  /** The version the change is about, when it is about one. */
  version: VersionRecord | null;
  files: readonly FileRecord[];
  /** Tags pointing at `version` now. */
  tags: readonly string[];
  /** The version's publisher. */
  author: OwnerLike | null;
  /** What changed, as Kura records it: the audit action (`tag.set`…) and its details. */
  change: Record<string, unknown>;
  repository: { repo: Repository; owner: OwnerLike } | null;
  organization: OwnerLike | null;
  sender: OwnerLike | null;
}

/** GitHub's `package` event, plus `change` (Kura's action and its details). */
export function packagePayload(facts: PackageEventFacts, base: string) {
  const { pkg, version } = facts;
  const owner: OwnerLike = { id: pkg.ownerId, login: pkg.ownerLogin, kind: pkg.ownerKind };
  const htmlUrl = `${base}/${pkg.ownerLogin}/-/packages/${pkg.format}/${encodeURIComponent(pkg.name)}`;
  const apiUrl = `${base}/api/v1/${pkg.ownerKind === 'org' ? 'orgs' : 'users'}/${pkg.ownerLogin}/packages/${pkg.format}/${encodeURIComponent(pkg.name)}`;
  return {
    action: facts.action,
    package: {
      id: pkg.id,
      name: pkg.name,
      namespace: pkg.ownerLogin,
      description: pkg.description,
      ecosystem: pkg.format,
      package_type: pkg.format,
      visibility: effectiveVisibility(pkg),
      html_url: htmlUrl,
      url: apiUrl,
      created_at: pkg.createdAt,
      updated_at: pkg.updatedAt,
      deleted_at: pkg.deletedAt,
      owner: ownerPayload(owner, base),
      package_version: version ? {
        id: version.id,
        version: version.version,
        name: version.version,
        description: version.description,
        summary: version.description,
        license: version.license,
        deprecated: version.deprecated,
        html_url: `${htmlUrl}/versions/${encodeURIComponent(version.version)}`,
        url: `${apiUrl}/versions/${version.id}`,
        created_at: version.createdAt,
        updated_at: version.createdAt,
        deleted_at: version.deletedAt,
        author: facts.author ? ownerPayload(facts.author, base) : null,
        tags: facts.tags,
        package_files: facts.files.map((f) => ({ id: f.id, name: f.name, sha256: f.sha256, size: f.size, content_type: f.contentType, created_at: f.createdAt })),
      } : null,
      registry: { name: 'Kura', vendor: 'Kura', type: pkg.format, url: base, about_url: base },
    },
    change: facts.change,
    ...(facts.repository ? { repository: repositoryPayload(facts.repository.repo, facts.repository.owner, base) } : {}),
    ...(facts.organization ? { organization: ownerPayload(facts.organization, base) } : {}),
    sender: facts.sender ? ownerPayload(facts.sender, base) : null,
  };
}

/** What an alert event says: the alert row's facts, its advisory, its repository. */
export interface AlertEventFacts {
  number: number;
  state: string;
  ecosystem: string;
  dependency: string;
  path: string[];
  declaredRange: string;
  scope: string;
  version: string;
  createdAt: string;
  pkg: { id: number; format: string; name: string };
  advisory: Advisory;
  repo: Repository;
  owner: OwnerLike;
}

/** GitHub's `dependabot_alert` event (`created`), with the alert as Kura's API shows its main fields. */
export function alertPayload(facts: AlertEventFacts, base: string) {
  const { advisory } = facts;
  const vulnerability = advisory.vulnerabilities.find((v) => v.package.ecosystem === facts.ecosystem && v.package.name.toLowerCase() === facts.dependency);
  return {
    action: 'created',
    alert: {
      number: facts.number,
      state: facts.state,
      dependency: {
        package: { ecosystem: facts.ecosystem, name: vulnerability?.package.name ?? facts.dependency },
        scope: facts.scope,
        path: facts.path,
        declared_range: facts.declaredRange,
      },
      package: { id: facts.pkg.id, package_type: facts.pkg.format, name: facts.pkg.name, version: facts.version },
      security_advisory: {
        ghsa_id: advisory.ghsaId,
        cve_id: advisory.cveId,
        summary: advisory.summary,
        description: advisory.description,
        severity: advisory.severity,
        identifiers: [{ type: advisory.source === 'osv' ? 'OSV' : 'KURA', value: advisory.ghsaId }, ...(advisory.cveId ? [{ type: 'CVE', value: advisory.cveId }] : [])],
        cvss: { vector_string: advisory.cvssVector, score: advisory.cvssScore },
        published_at: advisory.publishedAt,
      },
      security_vulnerability: {
        package: { ecosystem: facts.ecosystem, name: vulnerability?.package.name ?? facts.dependency },
        vulnerable_version_range: vulnerability?.vulnerable_version_range ?? null,
        patched_versions: vulnerability?.patched_versions ?? null,
        severity: advisory.severity,
      },
      url: `${base}/api/v1/repos/${facts.repo.fullName}/dependabot/alerts/${facts.number}`,
      html_url: `${base}/${facts.repo.fullName}`,
      created_at: facts.createdAt,
    },
    repository: repositoryPayload(facts.repo, facts.owner, base),
    ...(facts.owner.kind === 'org' ? { organization: ownerPayload(facts.owner, base) } : {}),
    sender: null,
  };
}

/** GitHub's `ping` event: sent when a webhook is created and on request. */
export function pingPayload(hook: Webhook, scope: HookScope, base: string, sender: OwnerLike | null) {
  return {
    zen: 'Deliveries are signed; check the signature before you trust one.',
    hook_id: hook.id,
    hook: presentHook(hook, scope, base),
    ...(scope.kind === 'repository' ? { repository: repositoryPayload(scope.repo, scope.owner, base) } : {}),
    ...(scope.kind === 'organization' ? { organization: ownerPayload(scope.org, base) } : {}),
    sender: sender ? ownerPayload(sender, base) : null,
  };
}
