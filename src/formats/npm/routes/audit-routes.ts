import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import semver from 'semver';
import { advisoryPageUrl, type Advisory } from '../../../core/advisories/advisory.js';
import { KuraError } from '../../../core/errors/catalogue.js';
import { accepting, type AcceptedBodies } from '../../../delivery/accepted-bodies.js';
import { readSmallText } from '../../shared/small-body.js';
import { bodyOf, type NpmRoutesContext } from './npm-routes-context.js';

/** An advisory with the package entry that matched the audit. */
type FoundAdvisory = Advisory & { matched: { name: string; range: string; patched: string | null } };

/** An audit request names every installed package; npm 11 sends it gzipped. */
const maxAuditBytes = 16 * 1024 * 1024;
/** npm, pnpm and yarn send audits as JSON (npm and yarn gzip it: `Content-Encoding`, not the type). */
const auditBodies: AcceptedBodies = { types: ['application/json'], what: 'an audit request' };

/** The audit request body, gunzipped when npm says so. @throws KuraError MALFORMED_JSON, PAYLOAD_TOO_LARGE */
async function auditBody(request: FastifyRequest): Promise<unknown> {
  const raw: Readable = bodyOf(request);
  const source = /\bgzip\b/.test(String(request.headers['content-encoding'] ?? '')) ? raw.pipe(createGunzip()) : raw;
  let text: string;
  try {
    text = await readSmallText(source, maxAuditBytes);
  } catch (error) {
    if (error instanceof KuraError) throw error;
    throw new KuraError('BAD_REQUEST', 'the audit body is not valid gzip');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new KuraError('MALFORMED_JSON', 'the audit body is not valid JSON');
  }
}

/**
 * `npm audit`: the bulk advisory endpoint npm 11 calls (`{name: [versions]}` in, the published
 * advisories that affect one of those versions out, in the fields npm prints) and the older quick
 * audit endpoint, answered from the same advisories. Only advisories of repositories the caller
 * may read are reported.
 */
export function registerAuditRoutes(app: FastifyInstance, { ctx }: NpmRoutesContext): void {
  async function advisoriesFor(request: FastifyRequest, wanted: Map<string, string[]>): Promise<Map<string, FoundAdvisory[]>> {
    const principal = await ctx.authenticate(request);
    const found = await ctx.advisories.affecting(principal, 'npm', [...wanted.keys()]);
    const byName = new Map<string, FoundAdvisory[]>();
    for (const advisory of found) {
      const name = [...wanted.keys()].find((n) => n.toLowerCase() === advisory.matched.name)!;
      const versions = wanted.get(name) ?? [];
      if (!versions.some((v) => semver.valid(v) && semver.satisfies(v, advisory.matched.range, { includePrerelease: true }))) continue;
      byName.set(name, [...(byName.get(name) ?? []), advisory]);
    }
    return byName;
  }

  const base = (request: FastifyRequest) => ctx.urls.base(request);
  const present = (request: FastifyRequest, advisory: FoundAdvisory) => ({
    id: advisory.id,
    url: advisoryPageUrl(advisory, base(request)),
    title: advisory.summary,
    severity: advisory.severity === 'medium' ? 'moderate' : advisory.severity,
    vulnerable_versions: advisory.matched.range,
    patched_versions: advisory.matched.patched ?? '<0.0.0-0',
    cwe: advisory.cweIds,
    cvss: { score: advisory.cvssScore ?? 0, vectorString: advisory.cvssVector },
  });

  app.post('/-/npm/v1/security/advisories/bulk', accepting(auditBodies), async (request) => {
    const doc = await auditBody(request);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new KuraError('BAD_REQUEST', 'the body must map package names to lists of versions');
    const wanted = new Map(Object.entries(doc as Record<string, unknown>).map(([name, versions]) => [name, Array.isArray(versions) ? versions.map(String) : []]));
    const byName = await advisoriesFor(request, wanted);
    return Object.fromEntries([...byName].map(([name, list]) => [name, list.map((a) => present(request, a))]));
  });

  app.post('/-/npm/v1/security/audits/quick', accepting(auditBodies), async (request) => {
    const wanted = installedVersions(await auditBody(request));
    const byName = await advisoriesFor(request, wanted);
    const advisories: Record<string, unknown> = {};
    const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
    for (const [name, list] of byName) {
      for (const advisory of list) {
        const shown = present(request, advisory);
        advisories[String(advisory.id)] = { ...shown, module_name: name, findings: (wanted.get(name) ?? []).map((version) => ({ version, paths: [name] })) };
        counts[shown.severity as keyof typeof counts] += 1;
      }
    }
    return { actions: [], advisories, muted: [], metadata: { vulnerabilities: counts, dependencies: wanted.size, devDependencies: 0, optionalDependencies: 0, totalDependencies: wanted.size } };
  });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The versions a quick audit's dependency tree (`{dependencies: {NAME: {version, dependencies}}}`,
 * nested as node_modules are) says are installed, by package name. Walked with a list rather than
 * recursion, so no depth of nesting exhausts the stack; entries of another shape are skipped.
 */
function installedVersions(doc: unknown): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  const pending: unknown[] = [isObject(doc) ? doc['dependencies'] : undefined];
  while (pending.length > 0) {
    const deps = pending.pop();
    if (!isObject(deps)) continue;
    for (const [name, dep] of Object.entries(deps)) {
      if (!isObject(dep)) continue;
      const version = dep['version'];
      if (typeof version === 'string' && version !== '') {
        const versions = wanted.get(name);
        if (!versions) wanted.set(name, [version]);
        else if (!versions.includes(version)) versions.push(version);
      }
      pending.push(dep['dependencies']);
    }
  }
  return wanted;
}
