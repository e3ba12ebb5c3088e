import type { FastifyInstance } from 'fastify';
import { apiTags, errorResponses, type ApiTag, type OperationSchema } from './operations.js';

/** A JSON value as the document holds it. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The OpenAPI 3.1 document of the REST API. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string; description?: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, JsonObject>>;
  components: { schemas: Record<string, JsonObject>; responses: Record<string, JsonObject>; securitySchemes: Record<string, JsonObject> };
}

/** A route of the API as it was registered. */
export interface ApiRoute {
  method: string;
  /** The full path, prefix included, in Fastify's syntax (`/api/v1/repos/:owner/:repo`). */
  url: string;
  schema: OperationSchema;
}

const requiredParts = ['operationId', 'summary', 'tags', 'security', 'response'] as const;

const info = {
  title: 'Kura REST API',
  version: '1',
  description: [
    'JSON in and out. Every error is `{ "error": { "code", "message" } }` with a code from the error catalogue; a request whose',
    'parameters or body the schemas here refuse gets 400 `BAD_REQUEST` naming the field. Writes take a JSON body',
    '(`Content-Type: application/json`) or none; any other body gets 415 before it is read.',
    '',
    'Authenticate with `Authorization: Bearer TOKEN` (or `token TOKEN`), or Basic with a login and password (token',
    'management and administration). Administration needs a password or a token with the `admin` scope. The token scopes',
    'an operation needs are listed as the `bearerAuth` roles of its security requirement.',
    '',
    'Package endpoints are shaped like GitHub’s REST API. Lists take GitHub’s `per_page` (default 30, at most 100) and',
    '`page`, and answer a `Link` header pointing at the `prev`, `next`, `last` and `first` pages.',
  ].join('\n'),
};

const securitySchemes = {
  bearerAuth: { type: 'http', scheme: 'bearer', description: 'A personal access token: `Authorization: Bearer TOKEN` (GitHub’s `token TOKEN` works too).' },
  basicAuth: { type: 'http', scheme: 'basic', description: 'A login and password (or a login and a token).' },
};

/**
 * Collects the API's routes as they are registered (an `onRoute` hook in the API's scope), adds
 * each one's standard error answers, refuses a route without a complete schema, and renders the
 * OpenAPI document from the routes and the shared component schemas.
 */
export class ApiDescription {
  readonly routes: ApiRoute[] = [];
  private rendered: OpenApiDocument | null = null;

  constructor(private readonly prefix: string, private readonly components: readonly object[]) {}

  /** Watches `api` for routes; call before registering them. @throws Error at registration for a route without a complete schema */
  collect(api: FastifyInstance): void {
    const operationIds = new Set<string>();
    api.addHook('onRoute', (route) => {
      const methods = [route.method].flat();
      if (methods.length === 1 && methods[0] === 'HEAD') return;
      const schema = route.schema as Partial<OperationSchema> | undefined;
      const missing = schema ? requiredParts.filter((part) => schema[part] === undefined) : requiredParts;
      if (missing.length > 0 || methods.length !== 1) {
        throw new Error(`${methods.join(',')} ${route.url}: every API route has one method and a schema with ${requiredParts.join(', ')} (missing ${missing.join(', ')})`);
      }
      const complete = schema as OperationSchema;
      if (operationIds.has(complete.operationId)) throw new Error(`${methods[0]} ${route.url}: operationId ${complete.operationId} is taken`);
      operationIds.add(complete.operationId);
      // The document lists every error answer; the route keeps only its success answers, so
      // Fastify compiles one serializer per success status and errors go out as plain JSON.
      this.routes.push({ method: methods[0]!, url: route.url, schema: { ...complete, response: { ...complete.response, ...errorResponses(methods[0]!, complete.errors) } } });
      this.rendered = null;
    });
  }

  /** The OpenAPI 3.1 document of every route collected so far. */
  document(): OpenApiDocument {
    this.rendered ??= this.render();
    return this.rendered;
  }

  private render(): OpenApiDocument {
    const paths: OpenApiDocument['paths'] = {};
    const used = new Set<ApiTag>();
    const errors: Record<string, JsonObject> = {};
    for (const route of this.routes) {
      const path = openApiPath(route.url.slice(this.prefix.length));
      const method = route.method.toLowerCase();
      (paths[path] ??= {})[method] = operationOf(route.schema, errors);
      for (const tag of route.schema.tags) used.add(tag);
    }
    const responses = Object.fromEntries(Object.keys(errors).sort((a, b) => (a === 'Error' ? 1 : b === 'Error' ? -1 : a.localeCompare(b))).map((name) => [name, errors[name]!]));
    const schemas: Record<string, JsonObject> = {};
    for (const component of this.components) {
      const { $id, ...schema } = plain(component) as JsonObject & { $id: string };
      schemas[$id] = schema;
    }
    return {
      openapi: '3.1.0',
      info,
      servers: [{ url: this.prefix, description: 'this server' }],
      tags: (Object.keys(apiTags) as ApiTag[]).filter((t) => used.has(t)).map((name) => ({ name, description: apiTags[name] })),
      paths,
      components: { schemas, responses, securitySchemes },
    };
  }
}

/** `/repos/:owner/:repo` → `/repos/{owner}/{repo}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/** A schema as the document holds it: plain JSON, `$ref`s pointing into `components/schemas`. */
function plain(schema: unknown): Json {
  return JSON.parse(JSON.stringify(schema), (key, value: Json) => {
    if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) return `#/components/schemas/${value.replace(/#$/, '')}`;
    return value;
  }) as Json;
}

interface ObjectSchema { properties?: Record<string, JsonObject>; required?: string[] }

/** The parameters `in` one place from an object schema's properties (their descriptions move up to the parameter). */
function parameters(schema: unknown, where: 'path' | 'query'): JsonObject[] {
  if (!schema) return [];
  const object = plain(schema) as ObjectSchema;
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (object.required ?? []).includes(name),
      ...(description !== undefined ? { description } : {}),
      schema: rest,
    };
  });
}

/** The name an error answer has in `components/responses`: `Error404`, or `Error` for `default`. */
const errorResponseName = (status: string) => (status === 'default' ? 'Error' : `Error${status}`);

/**
 * The operation of a route. Error answers (the `Error` schema) point into `components/responses`,
 * where `errors` collects them: the same status means the same answer in every operation.
 */
function operationOf(schema: OperationSchema, errors: Record<string, JsonObject>): JsonObject {
  const params = [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')];
  const paged = params.some((p) => p['name'] === 'page');
  const responses: JsonObject = {};
  for (const [status, response] of Object.entries(schema.response)) {
    const { description, ...body } = plain(response) as JsonObject;
    if (body['$ref'] === '#/components/schemas/Error' && !status.startsWith('2')) {
      const name = errorResponseName(status);
      errors[name] ??= { description: String(description), content: { 'application/json': { schema: body } } };
      responses[status] = { $ref: `#/components/responses/${name}` };
      continue;
    }
    const text = typeof description === 'string' ? description : status.startsWith('2') ? 'Success.' : 'An error.';
    if (body['type'] === 'null') {
      responses[status] = { description: text };
      continue;
    }
    responses[status] = {
      description: text,
      ...(paged && status === '200' ? { headers: { Link: { description: 'GitHub’s links to the `prev`, `next`, `last` and `first` pages, as absolute URLs.', schema: { type: 'string' } } } } : {}),
      content: { 'application/json': { schema: body } },
    };
  }
  const body = schema.body ? (plain(schema.body) as JsonObject & { required?: string[] }) : null;
  return {
    operationId: schema.operationId,
    summary: schema.summary,
    ...(schema.description ? { description: schema.description } : {}),
    tags: schema.tags,
    security: schema.security,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: (body.required ?? []).length > 0, content: { 'application/json': { schema: body } } } } : {}),
    responses,
  };
}
