import type { FastifyRequest } from 'fastify';

/**
 * Builds absolute URLs. With a configured public base URL every link uses it; otherwise the
 * request's `X-Forwarded-Proto`/`X-Forwarded-Host` or `Host` decide, so clients get links they
 * can reach.
 */
export class UrlBuilder {
  constructor(private readonly configured: string | null) {}

  /** The base URL (no trailing slash) for links in answers to `request`. */
  base(request: FastifyRequest): string {
    if (this.configured) return this.configured;
    const proto = firstHeader(request.headers['x-forwarded-proto']) ?? request.protocol;
    const host = firstHeader(request.headers['x-forwarded-host']) ?? request.headers.host ?? 'localhost';
    return `${proto}://${host}`;
  }

  /** `base + path`; `path` must start with `/`. */
  absolute(request: FastifyRequest, path: string): string {
    return this.base(request) + path;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const first = text?.split(',')[0]?.trim();
  return first || undefined;
}
