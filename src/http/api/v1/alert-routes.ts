import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Alert, AlertState } from '../../../core/alerts/alert.js';
import { dismissReasons } from '../../../core/alerts/alert.js';
import type { AlertFilter } from '../../../core/alerts/alert-service.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { presentAdvisory } from './advisory-routes.js';
import { pathId, type ApiContext } from './api-context.js';
import { access, operation } from './operations.js';
import { pageQuery } from './pagination.js';
import { repoParams } from './repository-routes.js';
import { ListOf, Nullable, Ref, StringEnum } from './schemas.js';

const states: readonly AlertState[] = ['open', 'dismissed', 'fixed', 'auto_dismissed'];

/** An alert in GitHub's Dependabot alert shape, with Kura's dependency path and fix facts. */
function presentAlert(alert: Alert, base: string) {
  const advisory = presentAdvisory(alert.advisory, base);
  const affected = { ecosystem: alert.ecosystem, name: alert.dependency };
  return {
    number: alert.number,
    state: alert.state,
    dependency: {
      package: affected,
      manifest_path: `${alert.package.name}@${alert.version}`,
      scope: alert.scope === 'development' ? 'development' : 'runtime',
      relationship: alert.path.length === 2 ? 'direct' : 'transitive',
      path: alert.path,
      declared_range: alert.declaredRange,
      dependent: { package_type: alert.package.format, name: alert.package.name, version: alert.version },
    },
    security_advisory: advisory,
    security_vulnerability: {
      package: affected,
      severity: alert.advisory.severity,
      vulnerable_version_range: alert.vulnerableRange,
      patched_versions: alert.patchedVersions,
      first_patched_version: alert.firstPatched ? { identifier: alert.firstPatched } : null,
    },
    fix: { version: alert.firstPatched, admitted_by_declared_range: alert.patchedAdmitted },
    url: `${base}/api/v1/repos/${alert.repo.fullName}/dependabot/alerts/${alert.number}`,
    html_url: `${base}/${alert.repo.fullName}#alert-${alert.number}`,
    created_at: alert.createdAt,
    updated_at: alert.updatedAt,
    dismissed_at: alert.dismissedAt,
    dismissed_by: alert.dismissedBy ? { login: alert.dismissedBy } : null,
    dismissed_reason: alert.dismissedReason,
    dismissed_comment: alert.dismissedComment,
    fixed_at: alert.fixedAt,
    auto_dismissed_at: null,
  };
}

/** A comma-separated query filter, each value checked against `allowed` when given. */
function listFilter(value: string | undefined, name: string, allowed?: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = allowed && items.find((i) => !allowed.includes(i));
  if (bad) throw new KuraError('BAD_REQUEST', `"${name}" must be a comma-separated list of ${allowed!.join(', ')}`);
  return items;
}

const alertQuery = Type.Object({
  state: Type.Optional(Type.String({ description: `comma-separated: ${states.join(', ')}` })),
  severity: Type.Optional(Type.String({ description: 'comma-separated: low, medium, high, critical' })),
  ecosystem: Type.Optional(Type.String({ description: 'comma-separated package types' })),
  package: Type.Optional(Type.String({ description: 'comma-separated names of affected packages' })),
  ...pageQuery,
});
const alertChange = Type.Object({
  state: StringEnum(['dismissed', 'open'] as const),
  dismissed_reason: Type.Optional(Nullable(Type.String({ description: `when dismissing: ${dismissReasons.join(', ')}` }))),
  dismissed_comment: Type.Optional(Nullable(Type.String({ description: 'at most 280 characters' }))),
});
const alertParams = Type.Object({ ...repoParams.properties, number: Type.String({ description: 'the alert’s number in its repository' }) });

/**
 * Alerts on a repository whose packages depend on affected versions, shaped like GitHub's
 * Dependabot alerts API: `GET /repos/OWNER/REPO/dependabot/alerts[?state,severity,ecosystem,package]`,
 * `GET …/alerts/N`, `PATCH …/alerts/N {"state": "dismissed", "dismissed_reason", "dismissed_comment"}` or `{"state": "open"}`.
 */
export function registerAlertRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core, urls } = ac.deps;
  const params = (request: FastifyRequest) => request.params as { owner: string; repo: string; number?: string };
  const alertNumber = (request: FastifyRequest) => {
    const number = pathId(params(request).number);
    if (number === null) throw new KuraError('NOT_FOUND', `alert ${params(request).number} not found`);
    return number;
  };

  api.get('/repos/:owner/:repo/dependabot/alerts', operation({
    operationId: 'dependabot/list-alerts-for-repo',
    summary: 'List a repository’s alerts',
    description: 'Readable by whoever may read the repository; a `Link` header points at the next page.',
    tags: ['dependabot'],
    security: access.anyone(),
    params: repoParams,
    querystring: alertQuery,
    response: { 200: ListOf('Alert', 'One page of alerts.') },
  }), async (request, reply) => {
    const principal = await ac.principal(request);
    const repository = await ac.repository(principal, params(request).owner, params(request).repo);
    const query = request.query as Static<typeof alertQuery>;
    const filter: AlertFilter = {
      state: listFilter(query.state, 'state', states) as AlertState[] | undefined,
      severity: listFilter(query.severity, 'severity', ['low', 'medium', 'high', 'critical']),
      ecosystem: listFilter(query.ecosystem, 'ecosystem'),
      package: listFilter(query.package, 'package'),
    };
    const perPage = query.per_page ?? 30;
    const page = query.page ?? 1;
    const alerts = await core.alerts.list(principal, repository, filter, { limit: perPage + 1, offset: (page - 1) * perPage });
    if (alerts.length > perPage) {
      const next = new URLSearchParams(Object.entries(query).filter(([key]) => key !== 'page' && key !== 'per_page').map(([key, value]): [string, string] => [key, String(value)]));
      next.set('per_page', String(perPage));
      next.set('page', String(page + 1));
      reply.header('link', `<${urls.base(request)}/api/v1/repos/${repository.fullName}/dependabot/alerts?${next}>; rel="next"`);
    }
    return alerts.slice(0, perPage).map((a) => presentAlert(a, urls.base(request)));
  });

  api.get('/repos/:owner/:repo/dependabot/alerts/:number', operation({
    operationId: 'dependabot/get-alert',
    summary: 'Get an alert',
    tags: ['dependabot'],
    security: access.anyone(),
    params: alertParams,
    response: { 200: Ref('Alert') },
  }), async (request) => {
    const principal = await ac.principal(request);
    const repository = await ac.repository(principal, params(request).owner, params(request).repo);
    return presentAlert(await core.alerts.find(principal, repository, alertNumber(request)), urls.base(request));
  });

  api.patch('/repos/:owner/:repo/dependabot/alerts/:number', operation({
    operationId: 'dependabot/update-alert',
    summary: 'Dismiss or reopen an alert',
    description: 'The repository’s writers: `{"state": "dismissed", "dismissed_reason", "dismissed_comment"}` or `{"state": "open"}`.',
    tags: ['dependabot'],
    security: access.signedIn(),
    params: alertParams,
    body: alertChange,
    response: { 200: Ref('Alert') },
  }), async (request) => {
    const principal = await ac.user(request);
    const repository = await ac.repository(principal, params(request).owner, params(request).repo);
    return presentAlert(await core.alerts.update(principal, repository, alertNumber(request), request.body as Record<string, unknown>), urls.base(request));
  });
}
