import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Advisory, AdvisoryInput } from '../../../core/advisories/advisory.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { advisoryPageUrl, creditTypes } from '../../../core/advisories/advisory.js';
import { toOsv } from '../../../core/advisories/osv.js';
import { osvEcosystems } from '../../../formats/catalog.js';
import type { ApiContext } from './api-context.js';
import { access, operation } from './operations.js';
import { repoParams } from './repository-routes.js';
import { IgnoredFields, Nullable, PathParams, Ref, StringEnum } from './schemas.js';

/** An advisory in GitHub's repository security advisory shape. */
export function presentAdvisory(advisory: Advisory, base: string) {
  return {
    ghsa_id: advisory.ghsaId,
    cve_id: advisory.cveId,
    url: advisory.repo ? `${base}/api/v1/repos/${advisory.repo.fullName}/security-advisories/${advisory.ghsaId}` : `${base}/api/v1/advisories/${advisory.ghsaId}`,
    html_url: advisoryPageUrl(advisory, base),
    source: advisory.source,
    summary: advisory.summary,
    description: advisory.description,
    severity: advisory.severity,
    state: advisory.state,
    identifiers: [
      { type: advisory.source === 'osv' ? 'OSV' : 'KURA', value: advisory.ghsaId },
      ...[...new Set([advisory.cveId, ...advisory.aliases].filter((a): a is string => Boolean(a)))].map((value) => ({ type: value.split('-')[0]!, value })),
    ],
    cvss: advisory.cvssVector ? { vector_string: advisory.cvssVector, score: advisory.cvssScore } : { vector_string: null, score: null },
    cwe_ids: advisory.cweIds,
    cwes: advisory.cweIds.map((cwe_id) => ({ cwe_id })),
    credits: advisory.credits,
    vulnerabilities: advisory.vulnerabilities.map((v) => ({ ...v, vulnerable_functions: [] })),
    created_at: advisory.createdAt,
    updated_at: advisory.updatedAt,
    published_at: advisory.publishedAt,
    reviewed_at: advisory.reviewedAt,
  };
}

/** What drafting or changing an advisory takes (GitHub's field names); the advisory rules check the values. */
const advisoryInput = Type.Object({
  summary: Type.Optional(Type.String({ description: 'required to draft one' })),
  description: Type.Optional(Type.String()),
  severity: Type.Optional(Nullable(Type.String({ description: 'low, medium, high or critical; follows the CVSS score when left out' }))),
  cvss_vector_string: Type.Optional(Nullable(Type.String({ description: 'a CVSS 3 vector' }))),
  cve_id: Type.Optional(Nullable(Type.String())),
  cwe_ids: Type.Optional(Type.Array(Type.String({ description: 'CWE-NNN' }))),
  credits: Type.Optional(Type.Array(Type.Object({ login: Type.String(), type: Type.Optional(StringEnum(creditTypes, { default: 'other' })) }))),
  vulnerabilities: Type.Optional(Type.Array(Type.Object({
    package: Type.Object({ ecosystem: Type.String({ description: 'a package type' }), name: Type.String() }),
    vulnerable_version_range: Type.String({ description: 'in the ecosystem’s own range syntax' }),
    patched_versions: Type.Optional(Nullable(Type.String())),
    ...IgnoredFields(['vulnerable_functions'] as const, 'Kura records affected versions'),
  }), { description: 'required to draft one, and not empty' })),
  state: Type.Optional(StringEnum(['draft', 'published'] as const, { description: '`published` publishes it (published stays published)' })),
  ...IgnoredFields(['start_private_fork', 'collaborating_users', 'collaborating_teams'] as const, 'Kura hosts no git; the repository’s admins manage its advisories'),
});

const formatQuery = Type.Object({
  format: Type.Optional(StringEnum(['github', 'osv'] as const, { default: 'github', description: 'GitHub’s shape or OSV 1.6' })),
});
const advisoryOrOsv = Type.Union([Ref('Advisory'), Ref('OsvRecord')]);
const advisoryParams = PathParams({ id: 'the advisory’s id (KURA-…)' });

/**
 * Security advisories, shaped like GitHub's repository security advisories API:
 * `/repos/OWNER/REPO/security-advisories[/ID]` (create, list, read, change, publish), and
 * `/advisories[/ID]` (every published advisory the caller may read; `?format=osv` for OSV 1.6).
 */
export function registerAdvisoryRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core, formats, urls } = ac.deps;
  const ecosystems = osvEcosystems(formats.all);
  const validRange = (ecosystem: string, range: string) => formats.find(ecosystem)?.versionRanges?.valid(range) ?? false;
  const paramsOf = (request: FastifyRequest) => request.params as { owner: string; repo: string; id?: string };
  const body = (request: FastifyRequest) => request.body as Static<typeof advisoryInput> as AdvisoryInput;
  const repoAdvisoryParams = Type.Object({ ...repoParams.properties, id: Type.String({ description: 'the advisory’s id (KURA-…)' }) });

  /** The advisory a path names, checked to belong to the path's repository. */
  async function advisoryOf(request: FastifyRequest) {
    const principal = await ac.principal(request);
    const { owner, repo, id } = paramsOf(request);
    const repository = await ac.repository(principal, owner, repo);
    const advisory = await core.advisories.find(principal, id!);
    if (advisory.repo?.id !== repository.id) throw new KuraError('NOT_FOUND', `advisory ${id} not found in ${repository.fullName}`);
    return { principal, advisory };
  }

  api.post('/repos/:owner/:repo/security-advisories', operation({
    operationId: 'security-advisories/create-repository-advisory',
    summary: 'Draft a repository’s advisory',
    description: 'Its admins. Drafts are visible to its admins only; `"state": "published"` publishes it at once.',
    tags: ['security-advisories'],
    security: access.signedIn(),
    params: repoParams,
    body: advisoryInput,
    response: { 201: Ref('Advisory', { description: 'The new advisory.' }) },
  }), async (request, reply) => {
    const principal = await ac.user(request);
    const { owner, repo } = paramsOf(request);
    const repository = await ac.repository(principal, owner, repo);
    const advisory = await core.advisories.create(principal, repository, body(request), validRange);
    return reply.status(201).send(presentAdvisory(advisory, urls.base(request)));
  });

  api.get('/repos/:owner/:repo/security-advisories', operation({
    operationId: 'security-advisories/list-repository-advisories',
    summary: 'List a repository’s advisories',
    description: 'Published ones, and drafts to its admins.',
    tags: ['security-advisories'],
    security: access.anyone(),
    params: repoParams,
    response: { 200: Type.Array(Ref('Advisory'), { description: 'The advisories.' }) },
  }), async (request) => {
    const principal = await ac.principal(request);
    const { owner, repo } = paramsOf(request);
    const repository = await ac.repository(principal, owner, repo);
    return (await core.advisories.list(principal, repository)).map((a) => presentAdvisory(a, urls.base(request)));
  });

  api.get('/repos/:owner/:repo/security-advisories/:id', operation({
    operationId: 'security-advisories/get-repository-advisory',
    summary: 'Get a repository’s advisory',
    tags: ['security-advisories'],
    security: access.anyone(),
    params: repoAdvisoryParams,
    response: { 200: Ref('Advisory') },
  }), async (request) => presentAdvisory((await advisoryOf(request)).advisory, urls.base(request)));

  api.patch('/repos/:owner/:repo/security-advisories/:id', operation({
    operationId: 'security-advisories/update-repository-advisory',
    summary: 'Change or publish a repository’s advisory',
    description: 'Its admins; `{"state": "published"}` publishes it.',
    tags: ['security-advisories'],
    security: access.signedIn(),
    params: repoAdvisoryParams,
    body: advisoryInput,
    response: { 200: Ref('Advisory') },
  }), async (request) => {
    const { principal, advisory } = await advisoryOf(request);
    return presentAdvisory(await core.advisories.update(principal, advisory, body(request), validRange), urls.base(request));
  });

  const wantsOsv = (request: FastifyRequest) => (request.query as Static<typeof formatQuery>).format === 'osv';

  api.get('/advisories', operation({
    operationId: 'security-advisories/list-global-advisories',
    summary: 'List every published advisory the caller may read',
    description: 'Imported OSV advisories are public. `?format=osv` answers OSV 1.6 records.',
    tags: ['security-advisories'],
    security: access.anyone(),
    querystring: formatQuery,
    response: { 200: Type.Array(advisoryOrOsv, { description: 'The advisories.' }) },
  }), async (request) => {
    const osv = wantsOsv(request);
    const advisories = await core.advisories.published(await ac.principal(request));
    return advisories.map((a) => (osv ? toOsv(a, urls.base(request), ecosystems) : presentAdvisory(a, urls.base(request))));
  });

  api.post('/advisories/:id/review', operation({
    operationId: 'security-advisories/review-advisory',
    summary: 'Mark a published advisory reviewed',
    description: 'Site admins. With `KURA_ADVISORY_REVIEW=required`, an advisory alerts other owners’ repositories only once reviewed.',
    tags: ['security-advisories'],
    security: access.signedIn(),
    params: advisoryParams,
    response: { 200: Ref('Advisory') },
  }), async (request) => {
    const principal = await ac.user(request);
    const advisory = await core.advisories.find(principal, (request.params as { id: string }).id);
    return presentAdvisory(await core.advisories.review(principal, advisory), urls.base(request));
  });

  api.get('/advisories/:id', operation({
    operationId: 'security-advisories/get-global-advisory',
    summary: 'Get an advisory',
    description: '`?format=osv` answers an OSV 1.6 record (published advisories only).',
    tags: ['security-advisories'],
    security: access.anyone(),
    params: advisoryParams,
    querystring: formatQuery,
    response: { 200: advisoryOrOsv },
  }), async (request) => {
    const osv = wantsOsv(request);
    const advisory = await core.advisories.find(await ac.principal(request), (request.params as { id: string }).id);
    if (osv && advisory.state !== 'published') throw new KuraError('NOT_FOUND', `${advisory.ghsaId} is not published`);
    return osv ? toOsv(advisory, urls.base(request), ecosystems) : presentAdvisory(advisory, urls.base(request));
  });
}
