import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Advisory, AdvisoryInput } from '../../../core/advisories/advisory.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { advisoryPageUrl } from '../../../core/advisories/advisory.js';
import { toOsv } from '../../../core/advisories/osv.js';
import { osvEcosystems } from '../../../formats/catalog.js';
import type { ApiContext } from './api-context.js';

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

/**
 * Security advisories, shaped like GitHub's repository security advisories API:
 * `/repos/OWNER/REPO/security-advisories[/ID]` (create, list, read, change, publish), and
 * `/advisories[/ID]` (every published advisory the caller may read; `?format=osv` for OSV 1.6).
 */
export function registerAdvisoryRoutes(api: FastifyInstance, ac: ApiContext): void {
  const { core, formats, urls } = ac.deps;
  const ecosystems = osvEcosystems(formats.all);
  const validRange = (ecosystem: string, range: string) => formats.find(ecosystem)?.versionRanges?.valid(range) ?? false;
  const repoParams = (request: FastifyRequest) => request.params as { owner: string; repo: string; id?: string };
  const body = (request: FastifyRequest): AdvisoryInput => {
    const value = request.body;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new KuraError('BAD_REQUEST', 'the body must be a JSON object');
    return value as AdvisoryInput;
  };

  /** The advisory a path names, checked to belong to the path's repository. */
  async function advisoryOf(request: FastifyRequest) {
    const principal = await ac.principal(request);
    const { owner, repo, id } = repoParams(request);
    const repository = await ac.repository(principal, owner, repo);
    const advisory = await core.advisories.find(principal, id!);
    if (advisory.repo?.id !== repository.id) throw new KuraError('NOT_FOUND', `advisory ${id} not found in ${repository.fullName}`);
    return { principal, advisory };
  }

  api.post('/repos/:owner/:repo/security-advisories', async (request, reply) => {
    const principal = await ac.user(request);
    const { owner, repo } = repoParams(request);
    const repository = await ac.repository(principal, owner, repo);
    const advisory = await core.advisories.create(principal, repository, body(request), validRange);
    return reply.status(201).send(presentAdvisory(advisory, urls.base(request)));
  });

  api.get('/repos/:owner/:repo/security-advisories', async (request) => {
    const principal = await ac.principal(request);
    const { owner, repo } = repoParams(request);
    const repository = await ac.repository(principal, owner, repo);
    return (await core.advisories.list(principal, repository)).map((a) => presentAdvisory(a, urls.base(request)));
  });

  api.get('/repos/:owner/:repo/security-advisories/:id', async (request) => presentAdvisory((await advisoryOf(request)).advisory, urls.base(request)));

  api.patch('/repos/:owner/:repo/security-advisories/:id', async (request) => {
    const { principal, advisory } = await advisoryOf(request);
    return presentAdvisory(await core.advisories.update(principal, advisory, body(request), validRange), urls.base(request));
  });

  const wantsOsv = (request: FastifyRequest) => {
    const format = (request.query as { format?: string }).format;
    if (format !== undefined && format !== 'osv' && format !== 'github') throw new KuraError('BAD_REQUEST', '"format" must be osv or github');
    return format === 'osv';
  };

  api.get('/advisories', async (request) => {
    const osv = wantsOsv(request);
    const advisories = await core.advisories.published(await ac.principal(request));
    return advisories.map((a) => (osv ? toOsv(a, urls.base(request), ecosystems) : presentAdvisory(a, urls.base(request))));
  });

  api.post('/advisories/:id/review', async (request) => {
    const principal = await ac.user(request);
    const advisory = await core.advisories.find(principal, (request.params as { id: string }).id);
    return presentAdvisory(await core.advisories.review(principal, advisory), urls.base(request));
  });

  api.get('/advisories/:id', async (request) => {
    const osv = wantsOsv(request);
    const advisory = await core.advisories.find(await ac.principal(request), (request.params as { id: string }).id);
    if (osv && advisory.state !== 'published') throw new KuraError('NOT_FOUND', `${advisory.ghsaId} is not published`);
    return osv ? toOsv(advisory, urls.base(request), ecosystems) : presentAdvisory(advisory, urls.base(request));
  });
}
