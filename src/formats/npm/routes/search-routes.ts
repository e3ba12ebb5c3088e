import type { FastifyInstance } from 'fastify';
import { packageSubject, type PackageRecord } from '../../../core/packages/package.js';
import { parseNpmName } from '../names.js';
import type { NpmRoutesContext } from './npm-routes-context.js';

/** `npm search`: `/-/v1/search?text=…&size=…&from=…` over the packages the caller may read. */
export function registerSearchRoutes(app: FastifyInstance, { ctx, cache }: NpmRoutesContext): void {
  app.get('/-/v1/search', async (request) => {
    const principal = await ctx.authenticate(request);
    const query = request.query as Record<string, unknown>;
    const size = Math.min(Math.max(Number(first(query['size'])) || 20, 1), 250);
    const from = Math.max(Number(first(query['from'])) || 0, 0);
    const text = first(query['text']).trim();
    const candidates = await ctx.packages.queries.search('npm', text, 1000);
    const visible: PackageRecord[] = [];
    for (const pkg of candidates) if (await ctx.access.permits(principal, 'read', packageSubject(pkg))) visible.push(pkg);
    const page = visible.slice(from, from + size);
    const base = ctx.urls.base(request);
    const objects = await Promise.all(page.map(async (pkg) => {
      const entry = await cache.get(pkg, base);
      const doc = JSON.parse(entry.abbreviated.identity.toString('utf8')) as { 'dist-tags': Record<string, string> };
      const name = parseNpmName(pkg.name);
      return {
        package: {
          name: pkg.name,
          scope: name.scope,
          version: doc['dist-tags']['latest'] ?? null,
          description: pkg.description ?? '',
          date: pkg.updatedAt,
          links: { npm: `${base}/${pkg.ownerLogin}/-/packages/npm/${encodeURIComponent(pkg.name)}`, ...(pkg.repo ? { repository: `${base}/${pkg.repo.fullName}` } : {}) },
          publisher: { username: pkg.ownerLogin },
          // npm search reads `maintainers` of every result and fails without the array.
          maintainers: [{ username: pkg.ownerLogin }],
        },
        score: { final: 1, detail: { quality: 1, popularity: 1, maintenance: 1 } },
        searchScore: 1,
      };
    }));
    return { objects, total: visible.length, time: new Date().toUTCString() };
  });
}

/** A query parameter's first value as text: a repeated one (`?text=a&text=b`) gives its first, anything else but text none. */
function first(value: unknown): string {
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' ? one : '';
}
