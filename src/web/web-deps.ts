import type { FastifyRequest } from 'fastify';
import type { Principal } from '../core/access/principal.js';
import type { Core } from '../core/core.js';
import type { UrlBuilder } from '../delivery/url-builder.js';
import type { FormatCatalog } from '../formats/catalog.js';
import type { FormatContext } from '../formats/contract.js';
import type { ApiReferenceDocument } from './pages/api-reference-page.js';

/** Resolves the caller of a request from its `Authorization` header (the HTTP layer's authenticator). */
export type Authenticate = (request: FastifyRequest) => Promise<Principal>;

/** What the web UI is built from: core's services, the formats with their modes and contexts, authentication and URLs. */
export interface WebDeps {
  core: Core;
  formats: FormatCatalog;
  /** Each format's context, for its package settings. */
  formatContexts: ReadonlyMap<string, FormatContext<unknown>>;
  authenticate: Authenticate;
  urls: UrlBuilder;
  /** The REST API's OpenAPI document, for its reference page at `/api/docs` (no page without it). */
  apiDocument?: () => ApiReferenceDocument;
}
