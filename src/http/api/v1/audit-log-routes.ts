import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditFilter, AuditRecord } from '../../../core/audit/audit-trail.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import type { ApiContext } from './api-context.js';
import { access, operation } from './operations.js';
import { pageQuery, pageRequest, queryParam, setPageLinks } from './pagination.js';
import { ListOf, PathParams } from './schemas.js';

const filterText = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 200, description }));
const auditQuery = Type.Object({
  actor: filterText('the login of who did it'),
  action: filterText('an action (`version.publish`), or a prefix ending at a dot (`version.`)'),
  package: filterText('TYPE/NAME, the name as in package paths (under an organization a bare npm name works too)'),
  from: filterText('the earliest entries: an ISO 8601 time or day (UTC unless it names a zone)'),
  to: filterText('the latest entries: an ISO 8601 time or day (`2024-05-31` covers that whole day)'),
  ...pageQuery,
});

/**
 * The audit log, in the shape of GitHub's audit log entries: `GET /orgs/ORG/audit-log` (what was
 * done to an organization and everything it owns, for its owners) and `GET /audit-log` (the
 * whole site, for site admins), newest first, filtered by `actor`, `action`, `package`, `from`
 * and `to`, paged by `page` and `per_page` with `Link` headers. Both need a password or a token
 * with the `admin` scope.
 */
export function registerAuditLogRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core, urls } = ac.deps;

  const common = { tags: ['audit-log' as const], security: access.administrator(), querystring: auditQuery, response: { 200: ListOf('AuditEntry', 'One page of entries, newest first.') } };

  api.get('/orgs/:org/audit-log', operation({
    ...common,
    operationId: 'orgs/get-audit-log',
    summary: 'An organization’s audit log',
    description: 'What was done to the organization and everything it owns, for its owners. Paged.',
    params: PathParams({ org: 'the organization' }),
  }), async (request, reply) => {
    const principal = await ac.principal(request);
    const org = await ac.owner('orgs', (request.params as { org: string }).org, principal);
    await core.audit.authorizeOrganization(principal, org);
    const asked = pageRequest(request);
    const page = await core.audit.list(org.id, auditFilter(ac, request, org.login), asked);
    setPageLinks(reply, request, urls, asked, page.total);
    return page.items.map(presentAuditEntry);
  });

  api.get('/audit-log', operation({
    ...common,
    operationId: 'enterprise-admin/get-audit-log',
    summary: 'The site’s audit log',
    description: 'Every entry, for site admins. Paged.',
  }), async (request, reply) => {
    const principal = await ac.principal(request);
    core.audit.authorizeSite(principal);
    const asked = pageRequest(request);
    const page = await core.audit.list(null, auditFilter(ac, request, null), asked);
    setPageLinks(reply, request, urls, asked, page.total);
    return page.items.map(presentAuditEntry);
  });
}

/**
 * The filters of a request: `actor=LOGIN`, `action=NAME` (or a prefix ending at a dot, like
 * `version.`), `package=TYPE/NAME` (the name as in package paths; under an organization a bare
 * npm name works too), `from` and `to` (ISO 8601 times, or days: `to=2024-05-31` covers that
 * whole day).
 * @throws KuraError BAD_REQUEST naming the malformed parameter
 */
function auditFilter(ac: ApiContext, request: FastifyRequest, ownerLogin: string | null): AuditFilter {
  const text = (name: string) => {
    const value = queryParam(request, name);
    if (value !== undefined && (value.trim() === '' || value.length > 200)) throw new KuraError('BAD_REQUEST', `"${name}" must be 1 to 200 characters`);
    return value?.trim();
  };
  const filter: AuditFilter = { actor: text('actor'), action: text('action') };
  const pkg = text('package');
  if (pkg !== undefined) {
    const slash = pkg.indexOf('/');
    if (slash <= 0 || slash === pkg.length - 1) throw new KuraError('BAD_REQUEST', `"package" must be TYPE/NAME, not "${pkg}"`);
    const format = ac.format(pkg.slice(0, slash));
    const nameLower = format.normalizeName(ownerLogin ?? '', pkg.slice(slash + 1));
    if (nameLower === null) throw new KuraError('BAD_REQUEST', `"${pkg.slice(slash + 1)}" is not a ${format.id} package name${ownerLogin === null ? ' (name npm packages with their scope)' : ''}`);
    filter.package = { format: format.id, nameLower };
  }
  const from = text('from');
  const to = text('to');
  if (from !== undefined) filter.since = parseTime('from', from).start;
  if (to !== undefined) filter.until = parseTime('to', to).end;
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) throw new KuraError('BAD_REQUEST', `"from" (${from}) is not before "to" (${to})`);
  return filter;
}

/**
 * An ISO 8601 day or time (UTC unless it names a zone), as the first millisecond it covers and the
 * first one after it.
 * @throws KuraError BAD_REQUEST
 */
function parseTime(name: string, text: string): { start: string; end: string } {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const time = day ? Date.parse(`${text}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.test(text) ? Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`) : NaN;
  if (Number.isNaN(time) || (day && new Date(time).toISOString().slice(0, 10) !== text)) {
    throw new KuraError('BAD_REQUEST', `"${name}" must be an ISO 8601 day or time (2024-05-31 or 2024-05-31T12:00:00Z), not "${text}"`);
  }
  return { start: new Date(time).toISOString(), end: new Date(time + (day ? 86_400_000 : 1)).toISOString() };
}

/**
 * An entry in the shape of GitHub's audit log: `@timestamp` and `created_at` in milliseconds,
 * `action`, `actor` and `actor_id` (null for the `kura` command and background jobs), `org` for
 * an organization's entries, `repo` and `package` (`TYPE/NAME`) when it concerns one, and `data`;
 * plus Kura's `owner` (the user or organization whose log holds it) and `target`.
 */
export function presentAuditEntry(entry: AuditRecord) {
  const at = Date.parse(entry.createdAt);
  return {
    '@timestamp': at,
    _document_id: String(entry.id),
    action: entry.action,
    actor: entry.actor?.login ?? null,
    actor_id: entry.actor?.id ?? null,
    org: entry.owner?.kind === 'org' ? entry.owner.login : null,
    org_id: entry.owner?.kind === 'org' ? entry.owner.id : null,
    owner: entry.owner?.login ?? null,
    repo: entry.repo?.fullName ?? null,
    repo_id: entry.repo?.id ?? null,
    package: entry.package ? `${entry.package.format}/${entry.package.name}` : null,
    package_id: entry.package?.id ?? null,
    target: entry.target,
    created_at: at,
    data: entry.meta,
  };
}
