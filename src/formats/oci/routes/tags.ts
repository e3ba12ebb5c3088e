import type { FastifyReply, FastifyRequest } from 'fastify';
import { ociError } from '../errors.js';
import { authorizedTarget, queryValue, type RegistryContext } from './registry-context.js';

/** The most tags one page lists when the client sets no `n`. */
const maxPage = 10_000;

/** GET `/v2/NAME/tags/list[?n=N&last=TAG]`: tags in lexical order, with a `Link` to the next page. */
export async function listTags(rc: RegistryContext, request: FastifyRequest, reply: FastifyReply, name: string) {
  const { image } = await authorizedTarget(rc, request, name, 'pull');
  if (!image.pkg) throw ociError('NAME_UNKNOWN', `${image.name.full} has no manifests`, { name: image.name.full });
  const nParam = queryValue(request, 'n');
  const last = queryValue(request, 'last') ?? null;
  let n = maxPage;
  if (nParam !== undefined) {
    if (!/^\d+$/.test(nParam)) throw ociError('UNSUPPORTED', `n must be a non-negative integer, not "${nParam}"`, { n: nParam }, 'BAD_REQUEST');
    n = Math.min(Number(nParam), maxPage);
  }
  const page = n === 0 ? [] : await rc.ctx.packages.queries.tagNames(image.pkg.id, last, n + 1);
  const tags = page.slice(0, n);
  if (page.length > n && tags.length > 0) {
    const next = new URLSearchParams({ n: String(n), last: tags[tags.length - 1]! });
    reply.header('link', `</v2/${image.name.full}/tags/list?${next.toString()}>; rel="next"`);
  }
  return reply.header('content-type', 'application/json').send(Buffer.from(JSON.stringify({ name: image.name.full, tags })));
}
