import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KuraError } from '../../../core/errors/catalogue.js';
import type { PageSlice } from '../../../core/packages/package-queries.js';
import type { UrlBuilder } from '../../../delivery/url-builder.js';

/** GitHub's page size when none is asked for, and the largest it allows. */
export const defaultPerPage = 30;
export const maxPerPage = 100;

/** GitHub's paging parameters, for a list route's query schema. */
export const pageQuery = {
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: maxPerPage, default: defaultPerPage, description: 'items per page' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 999_999_999, default: 1, description: 'the page, from 1' })),
};

/** The page a list request asks for (GitHub's `page` and `per_page`), as a slice of the list. */
export interface PageRequest extends PageSlice {
  page: number;
  perPage: number;
}

/** The one value of query parameter `name`, if given. @throws KuraError BAD_REQUEST when it is given twice */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new KuraError('BAD_REQUEST', `"${name}" may be given once`);
  return value;
}

/**
 * `page` (default 1) and `per_page` (default 30, at most 100), as the route's schema
 * ({@link pageQuery}) validated and converted them.
 */
export function pageRequest(request: FastifyRequest): PageRequest {
  const query = request.query as { per_page?: number; page?: number };
  const perPage = query.per_page ?? defaultPerPage;
  const page = query.page ?? 1;
  return { page, perPage, offset: (page - 1) * perPage, limit: perPage };
}

/**
 * Sets GitHub's `Link` header for page `asked.page` of a list of `total` items: `prev` and
 * `first` unless on the first page, `next` and `last` unless on the last one, as absolute URLs
 * of this request with only `page` changed. A page past the end links back to the last page
 * (`prev`) and the first; an empty list has no links.
 */
export function setPageLinks(reply: FastifyReply, request: FastifyRequest, urls: UrlBuilder, asked: PageRequest, total: number): void {
  if (total === 0) return;
  const lastPage = Math.max(1, Math.ceil(total / asked.perPage));
  const link = (page: number, rel: string) => {
    const url = new URL(request.url, 'http://x');
    url.searchParams.set('page', String(page));
    return `<${urls.base(request)}${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (asked.page > 1) links.push(link(Math.min(asked.page - 1, lastPage), 'prev'));
  if (asked.page < lastPage) links.push(link(asked.page + 1, 'next'), link(lastPage, 'last'));
  if (asked.page > 1) links.push(link(1, 'first'));
  if (links.length > 0) reply.header('link', links.join(', '));
}
