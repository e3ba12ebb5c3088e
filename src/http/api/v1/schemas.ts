import { Type, type TOptional, type TSchema, type TUnknown } from '@sinclair/typebox';
import { errorCatalogue } from '../../../core/errors/catalogue.js';
import { webhookEvents } from '../../../core/webhooks/webhook.js';

/**
 * The JSON shapes of the REST API as JSON Schema (TypeBox). The named ones are registered once
 * in the API's scope (`addSchema`), referenced by `$ref` from the routes' schemas, and appear as
 * `components/schemas` in the OpenAPI document; the routes' own parameter and body schemas are
 * built from the helpers here.
 */

/** A value of `schema`, or null (JSON Schema 2020-12's type list, which OpenAPI 3.1 uses). */
export function Nullable<T extends TSchema>(schema: T) {
  const { type } = schema as { type?: unknown };
  if (typeof type === 'string') return Type.Unsafe<T['static'] | null>({ ...schema, type: [type, 'null'] });
  return Type.Unsafe<T['static'] | null>({ anyOf: [schema, { type: 'null' }] });
}

/** One of a fixed list of strings. */
/**
 * Fields GitHub's API takes that mean nothing to Kura: accepted (so scripts written for GitHub
 * work unchanged) and ignored. Bodies refuse every field they do not declare, so these are listed.
 */
export function IgnoredFields<const K extends readonly string[]>(names: K, why: string) {
  return Object.fromEntries(names.map((name) => [name, Type.Optional(Type.Unknown({ description: `GitHub’s; ignored (${why})` }))])) as { [N in K[number]]: TOptional<TUnknown> };
}

export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A reference to the component schema named `name`. */
export function Ref<T = unknown>(name: ComponentName, options: { description?: string } = {}) {
  return Type.Unsafe<T>({ $ref: name, ...options });
}

/** A time in ISO 8601 (UTC). */
export const Timestamp = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
/** A timestamp that is null until the thing happens. */
export const MaybeTimestamp = (description?: string) => Nullable(Timestamp(description));

const visibility = StringEnum(['public', 'private'] as const);
const ownerType = StringEnum(['User', 'Organization'] as const);
const repoRole = StringEnum(['read', 'write', 'admin'] as const);
const orgRole = StringEnum(['admin', 'member'] as const, { description: '`admin` for the organization’s owners' });
const severity = StringEnum(['low', 'medium', 'high', 'critical'] as const);

/** A bare owner, as packages and repositories name theirs. */
const ownerSummary = { login: Type.String(), id: Type.Integer(), type: ownerType };

const ownerProperties = {
  ...ownerSummary,
  site_admin: Type.Boolean(),
  created_at: Timestamp(),
  suspended_at: Type.Optional(MaybeTimestamp('users only: when a site admin suspended them')),
};

const permissions = Type.Object({
  admin: Type.Boolean(), maintain: Type.Boolean(), push: Type.Boolean(), triage: Type.Boolean(), pull: Type.Boolean(),
}, { description: 'GitHub’s permission flags (`maintain` follows `admin`, `triage` follows `write`)' });

const tokenProperties = {
  id: Type.Integer(),
  name: Nullable(Type.String()),
  prefix: Type.String({ description: 'the first characters of the token, to recognise it by' }),
  scopes: Type.Array(Type.String()),
  repository_id: Nullable(Type.Integer({ description: 'the repository the token is restricted to' })),
  expires_at: MaybeTimestamp(),
  last_used_at: MaybeTimestamp(),
  revoked_at: MaybeTimestamp(),
  created_at: Timestamp(),
};

const packageProperties = {
  id: Type.Integer(),
  name: Type.String(),
  package_type: Ref('PackageType'),
  owner: Type.Object(ownerSummary),
  version_count: Type.Integer(),
  download_count: Type.Integer(),
  visibility,
  description: Nullable(Type.String()),
  url: Type.String(),
  html_url: Type.String(),
  repository: Nullable(Type.Object({ full_name: Type.String(), visibility, html_url: Type.String() })),
  inherit_access: Nullable(Type.Boolean({ description: 'linked packages: whether it follows its repository’s visibility and permissions' })),
  created_at: Timestamp(),
  updated_at: Timestamp(),
  deleted_at: MaybeTimestamp(),
};

const affectedPackage = Type.Object({ ecosystem: Type.String(), name: Type.String() });

const deliveryProperties = {
  id: Type.Integer(),
  guid: Type.String({ description: 'X-Kura-Delivery (a redelivery keeps it)' }),
  delivered_at: Timestamp(),
  redelivery: Type.Boolean(),
  duration: Nullable(Type.Number({ description: 'seconds' })),
  status: Type.String(),
  status_code: Type.Integer(),
  event: Type.String(),
  action: Nullable(Type.String()),
  installation_id: Type.Null(),
  repository_id: Nullable(Type.Integer()),
  throttled_at: Type.Null(),
  state: StringEnum(['pending', 'delivered', 'failed'] as const),
  attempts: Type.Integer(),
  next_attempt_at: MaybeTimestamp(),
  created_at: Timestamp(),
};

const headers = Nullable(Type.Record(Type.String(), Type.String()));

const advisoryProperties = {
  ghsa_id: Type.String({ description: 'KURA-xxxx-xxxx-xxxx' }),
  cve_id: Nullable(Type.String()),
  url: Type.String(),
  html_url: Type.String(),
  source: StringEnum(['kura', 'osv'] as const),
  summary: Type.String(),
  description: Type.String(),
  severity,
  state: StringEnum(['draft', 'published'] as const),
  identifiers: Type.Array(Type.Object({ type: Type.String(), value: Type.String() })),
  cvss: Type.Object({ vector_string: Nullable(Type.String()), score: Nullable(Type.Number()) }),
  cwe_ids: Type.Array(Type.String()),
  cwes: Type.Array(Type.Object({ cwe_id: Type.String() })),
  credits: Type.Array(Type.Object({ login: Type.String(), type: Type.String() })),
  vulnerabilities: Type.Array(Type.Object({
    package: affectedPackage,
    vulnerable_version_range: Type.String(),
    patched_versions: Nullable(Type.String()),
    vulnerable_functions: Type.Array(Type.String()),
  })),
  created_at: Timestamp(),
  updated_at: Timestamp(),
  published_at: MaybeTimestamp(),
  reviewed_at: MaybeTimestamp(),
};

/**
 * The named schemas, keyed by name. `formats` are the package types this server knows (the
 * `package_type` values).
 */
export function componentSchemas(formats: readonly string[]) {
  const named = <T extends TSchema>(name: string, description: string, schema: T): T => ({ ...schema, $id: name, title: name, description });
  return [
    named('Error', 'Every error: a code from the error catalogue (docs/ERRORS.md) and a message safe to show.', Type.Object({
      error: Type.Object({ code: StringEnum(Object.keys(errorCatalogue)), message: Type.String() }, { additionalProperties: false }),
    }, { additionalProperties: false })),
    named('PackageType', 'A package format.', StringEnum(formats)),
    named('Owner', 'A user or an organization.', Type.Object(ownerProperties)),
    named('OwnerSettings', 'A user or an organization with the visibility its new unlinked packages start with.', Type.Object({
      ...ownerProperties, default_package_visibility: visibility,
    })),
    named('Repository', 'A repository in GitHub’s shape.', Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      full_name: Type.String(),
      private: Type.Boolean(),
      visibility,
      description: Nullable(Type.String()),
      owner: Type.Object(ownerSummary),
      html_url: Type.String(),
      url: Type.String(),
      created_at: Timestamp(),
    })),
    named('Collaborator', 'Someone with a role on a repository, with GitHub’s `role_name` and `permissions`.', Type.Object({
      ...ownerProperties, role_name: repoRole, permissions,
    })),
    named('CollaboratorPermission', 'A user’s permission on a repository (`none` without one).', Type.Object({
      permission: StringEnum(['none', 'read', 'write', 'admin'] as const),
      role_name: StringEnum(['none', 'read', 'write', 'admin'] as const),
      user: Type.Object({ ...ownerProperties, role_name: StringEnum(['none', 'read', 'write', 'admin'] as const), permissions }),
    })),
    named('OrgMember', 'A member of an organization.', Type.Object({ ...ownerProperties, role: orgRole })),
    named('OrgMembership', 'An organization membership in GitHub’s shape.', Type.Object({
      url: Type.String(),
      state: StringEnum(['active'] as const),
      role: orgRole,
      organization_url: Type.String(),
      organization: Ref('Owner'),
      user: Ref('Owner'),
    })),
    named('PackageMember', 'A user’s role on a package with access of its own.', Type.Object({ ...ownerProperties, role: repoRole })),
    named('Token', 'A personal access token (never its secret).', Type.Object(tokenProperties)),
    named('NewToken', 'A token just created: the only time its secret `token` is shown.', Type.Object({ ...tokenProperties, token: Type.String() })),
    named('Package', 'A package in GitHub’s shape, with Kura’s version and download counts.', Type.Object(packageProperties)),
    named('PackageDetail', 'A package with its latest version.', Type.Object({
      ...packageProperties,
      latest_version: Type.Union([Ref('PackageVersion'), Type.Null()]),
    })),
    named('PackageVersion', 'A version in GitHub’s shape, with Kura’s download count, tags, the format’s facts and install snippets.', Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      url: Type.String(),
      package_html_url: Type.String(),
      html_url: Type.String(),
      description: Nullable(Type.String()),
      license: Nullable(Type.String()),
      deprecated: Nullable(Type.String({ description: 'the deprecation message' })),
      download_count: Type.Integer(),
      created_at: Timestamp(),
      updated_at: Timestamp(),
      deleted_at: MaybeTimestamp(),
      metadata: Type.Object({
        package_type: Ref('PackageType'),
        tags: Type.Array(Type.String()),
      }, { additionalProperties: true, description: 'the format’s facts under `metadata.<package_type>` (dependencies, platforms, sizes…)' }),
      install: Type.Array(Type.Object({ client: Type.String(), code: Type.String() })),
    })),
    named('Downloads', 'Downloads per UTC day, every day of the range listed.', Type.Object({
      from: Type.String({ format: 'date' }),
      to: Type.String({ format: 'date' }),
      total: Type.Integer(),
      days: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), count: Type.Integer() })),
    })),
    named('PackageSettings', 'A package’s format settings (containers: `untagged_retention_days`).', Type.Object({}, { additionalProperties: true })),
    named('Advisory', 'A security advisory in GitHub’s repository security advisory shape.', Type.Object(advisoryProperties)),
    named('OsvRecord', 'A published advisory as an OSV 1.6 record.', Type.Object({
      schema_version: Type.String(),
      id: Type.String(),
      modified: Timestamp(),
    }, { additionalProperties: true })),
    named('Alert', 'An alert in GitHub’s Dependabot alert shape, with the dependency path and fix facts.', Type.Object({
      number: Type.Integer(),
      state: StringEnum(['open', 'dismissed', 'fixed', 'auto_dismissed'] as const),
      dependency: Type.Object({
        package: affectedPackage,
        manifest_path: Type.String(),
        scope: StringEnum(['runtime', 'development'] as const),
        relationship: StringEnum(['direct', 'transitive'] as const),
        path: Type.Array(Type.String()),
        declared_range: Type.String(),
        dependent: Type.Object({ package_type: Type.String(), name: Type.String(), version: Type.String() }),
      }),
      security_advisory: Ref('Advisory'),
      security_vulnerability: Type.Object({
        package: affectedPackage,
        severity,
        vulnerable_version_range: Type.String(),
        patched_versions: Nullable(Type.String()),
        first_patched_version: Nullable(Type.Object({ identifier: Type.String() })),
      }),
      fix: Type.Object({ version: Nullable(Type.String()), admitted_by_declared_range: Nullable(Type.Boolean()) }),
      url: Type.String(),
      html_url: Type.String(),
      created_at: Timestamp(),
      updated_at: Timestamp(),
      dismissed_at: MaybeTimestamp(),
      dismissed_by: Nullable(Type.Object({ login: Type.String() })),
      dismissed_reason: Nullable(Type.String()),
      dismissed_comment: Nullable(Type.String()),
      fixed_at: MaybeTimestamp(),
      auto_dismissed_at: Type.Null(),
    })),
    named('HookConfig', 'Where and how a webhook delivers (`secret` shows as `********` when set).', Type.Object({
      url: Type.String(),
      content_type: StringEnum(['json'] as const),
      insecure_ssl: StringEnum(['0', '1'] as const),
      secret: Type.Optional(Type.String()),
    })),
    named('Hook', 'A webhook in GitHub’s shape.', Type.Object({
      type: StringEnum(['Repository', 'Organization', 'Site'] as const),
      id: Type.Integer(),
      name: StringEnum(['web'] as const),
      active: Type.Boolean(),
      events: Type.Array(StringEnum(['*', ...webhookEvents])),
      config: Ref('HookConfig'),
      updated_at: Timestamp(),
      created_at: Timestamp(),
      url: Type.String(),
      ping_url: Type.String(),
      deliveries_url: Type.String(),
      last_response: Type.Object({
        code: Nullable(Type.Integer()),
        status: StringEnum(['unused', 'active', 'failed'] as const),
        message: Nullable(Type.String()),
      }),
    })),
    named('HookDelivery', 'A delivery of a webhook, in the shape of GitHub’s delivery list, with its state and next attempt.', Type.Object(deliveryProperties)),
    named('HookDeliveryDetail', 'One delivery with its request, latest response and every attempt.', Type.Object({
      ...deliveryProperties,
      url: Type.String(),
      request: Type.Object({ headers, payload: Type.Unknown({ description: 'the JSON body sent' }) }),
      response: Type.Object({ headers, payload: Nullable(Type.String()) }),
      attempt_log: Type.Array(Type.Object({
        number: Type.Integer(),
        started_at: Timestamp(),
        duration: Type.Number({ description: 'seconds' }),
        url: Type.String(),
        redirects: Type.Array(Type.String()),
        request: Type.Object({ headers }),
        response: Type.Object({ status_code: Nullable(Type.Integer()), headers, payload: Nullable(Type.String()) }),
        error: Nullable(Type.String()),
      })),
    })),
    named('AuditEntry', 'An audit log entry in the shape of GitHub’s, plus Kura’s `owner` and `target`.', Type.Object({
      '@timestamp': Type.Integer({ description: 'milliseconds since 1970' }),
      _document_id: Type.String(),
      action: Type.String(),
      actor: Nullable(Type.String()),
      actor_id: Nullable(Type.Integer()),
      org: Nullable(Type.String()),
      org_id: Nullable(Type.Integer()),
      owner: Nullable(Type.String()),
      repo: Nullable(Type.String()),
      repo_id: Nullable(Type.Integer()),
      package: Nullable(Type.String({ description: 'TYPE/NAME' })),
      package_id: Nullable(Type.Integer()),
      target: Type.String(),
      created_at: Type.Integer({ description: 'milliseconds since 1970' }),
      data: Type.Object({}, { additionalProperties: true }),
    })),
  ];
}

export type ComponentName =
  | 'Error' | 'PackageType' | 'Owner' | 'OwnerSettings' | 'Repository' | 'Collaborator' | 'CollaboratorPermission'
  | 'OrgMember' | 'OrgMembership' | 'PackageMember' | 'Token' | 'NewToken' | 'Package' | 'PackageDetail'
  | 'PackageVersion' | 'Downloads' | 'PackageSettings' | 'Advisory' | 'OsvRecord' | 'Alert' | 'HookConfig'
  | 'Hook' | 'HookDelivery' | 'HookDeliveryDetail' | 'AuditEntry';

/** A list of `item`. */
export const ListOf = (name: ComponentName, description: string) => Type.Array(Ref(name), { description });

/** A 204 answer: no body. */
export const NoContent = (description: string) => Type.Null({ description });

/** Path parameters (strings, as the URL carries them). */
export const PathParams = <P extends Record<string, string>>(params: P) => Type.Object(
  Object.fromEntries(Object.entries(params).map(([name, description]) => [name, Type.String({ description, minLength: 1 })])) as { [K in keyof P]: ReturnType<typeof Type.String> },
);
