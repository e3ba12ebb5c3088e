import type { FastifyRequest } from 'fastify';
import type { Principal } from '../core/access/principal.js';
import type { Core } from '../core/core.js';
import type { UrlBuilder } from '../delivery/url-builder.js';
import type { FormatCatalog } from '../formats/catalog.js';

/** Resolves the caller of a request from its `Authorization` header (the HTTP layer's authenticator). */
export type Authenticate = (request: FastifyRequest) => Promise<Principal>;

/** What the web UI is built from: core's services, the formats with their modes, authentication and URLs. */
export interface WebDeps {
  core: Core;
  formats: FormatCatalog;
  authenticate: Authenticate;
  urls: UrlBuilder;
}
