import type { ComponentChildren } from 'preact';
import { renderPage } from '../components/layout.js';
import type { Visitor } from '../visitor.js';

/** A JSON Schema as the document holds it. */
export interface ReferenceSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  items?: ReferenceSchema;
  properties?: Record<string, ReferenceSchema>;
  required?: string[];
  additionalProperties?: boolean | ReferenceSchema;
  anyOf?: ReferenceSchema[];
  description?: string;
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
}

interface ReferenceParameter { name: string; in: string; required?: boolean; description?: string; schema: ReferenceSchema }
interface ReferenceResponse { $ref?: string; description?: string; content?: Record<string, { schema: ReferenceSchema }> }
interface ReferenceOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  parameters?: ReferenceParameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: ReferenceSchema }> };
  responses: Record<string, ReferenceResponse>;
}

/** What the page reads of an OpenAPI 3.1 document (the REST API's, which the HTTP app hands over). */
export interface ApiReferenceDocument {
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; responses?: Record<string, unknown> };
}

const schemaName = (ref: string) => ref.replace('#/components/schemas/', '');
const anchor = (kind: string, name: string) => `${kind}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** A schema's type in a few words, linking named schemas. */
function TypeOf({ schema }: { schema: ReferenceSchema }): ComponentChildren {
  if (schema.$ref) {
    const name = schemaName(schema.$ref);
    return <a href={`#${anchor('schema', name)}`}>{name}</a>;
  }
  if (schema.anyOf) return <>{schema.anyOf.map((s, i) => <>{i > 0 ? ' or ' : null}<TypeOf schema={s} /></>)}</>;
  if (schema.enum) return <>{schema.enum.map((v, i) => <>{i > 0 ? ' | ' : null}<code>{String(v)}</code></>)}</>;
  const types = [schema.type ?? 'any'].flat();
  return (
    <>
      {types.map((type, i) => (
        <>
          {i > 0 ? ' or ' : null}
          {type === 'array' && schema.items ? <>list of <TypeOf schema={schema.items} /></> : type}
        </>
      ))}
      {schema.format ? <span class="muted"> ({schema.format})</span> : null}
    </>
  );
}

/** Limits and defaults worth a reader's eye. */
function facts(schema: ReferenceSchema): string {
  const out: string[] = [];
  if (schema.minimum !== undefined || schema.maximum !== undefined) out.push(`${schema.minimum ?? '…'} to ${schema.maximum ?? '…'}`);
  if (schema.maxLength !== undefined) out.push(`${schema.minLength ?? 0} to ${schema.maxLength} characters`);
  else if (schema.minLength !== undefined && schema.minLength > 1) out.push(`at least ${schema.minLength} characters`);
  if (schema.minItems) out.push('not empty');
  if (schema.default !== undefined) out.push(`default ${String(schema.default)}`);
  return out.join('; ');
}

/** The fields of an object schema, nested objects listed with dotted names. */
function fieldRows(schema: ReferenceSchema, prefix = ''): ComponentChildren[] {
  const rows: ComponentChildren[] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const required = (schema.required ?? []).includes(name);
    const description = [field.description, facts(field)].filter(Boolean).join('. ');
    rows.push(
      <tr>
        <td><code>{prefix + name}</code>{required ? <span class="muted"> required</span> : null}</td>
        <td><TypeOf schema={field.properties ? { ...field, type: 'object' } : field} /></td>
        <td>{description}</td>
      </tr>,
    );
    if (field.properties && !field.$ref) rows.push(...fieldRows(field, `${prefix}${name}.`));
  }
  return rows;
}

function Fields({ schema }: { schema: ReferenceSchema }) {
  if (!schema.properties || Object.keys(schema.properties).length === 0) {
    return <p><TypeOf schema={schema} />{schema.additionalProperties ? ' (any fields)' : null}</p>;
  }
  return (
    <div class="table-scroll">
      <table>
        <thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">About</th></tr></thead>
        <tbody>{fieldRows(schema)}</tbody>
      </table>
      {schema.additionalProperties ? <p class="muted">Other fields may appear.</p> : null}
    </div>
  );
}

/** Who may call: anonymous callers, a token with scopes, a password. */
function who(security: ReferenceOperation['security']): string {
  const anonymous = security.some((s) => Object.keys(s).length === 0);
  const scopes = security.flatMap((s) => s['bearerAuth'] ?? []);
  const token = scopes.length > 0 ? `a token with ${scopes.map((s) => `\`${s}\``).join(' or ')}` : 'a token';
  return anonymous ? `Anyone; ${token} or a password shows what is not public.` : `${token[0]!.toUpperCase()}${token.slice(1)}, or a password.`;
}

function Operation({ method, path, op }: { method: string; path: string; op: ReferenceOperation }) {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content['application/json']?.schema;
  return (
    <article class="op" id={anchor('op', op.operationId)}>
      <h3><span class="method">{method.toUpperCase()}</span> <code>{path}</code></h3>
      <p><strong>{op.summary}.</strong> {op.description ?? ''}</p>
      <p class="muted">{who(op.security).replace(/`/g, '')} Operation <code>{op.operationId}</code>.</p>
      {params.length > 0 ? (
        <div class="table-scroll">
          <table>
            <caption class="sr-only">Parameters</caption>
            <thead><tr><th scope="col">Parameter</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">About</th></tr></thead>
            <tbody>
              {params.map((p) => (
                <tr>
                  <td><code>{p.name}</code>{p.required ? <span class="muted"> required</span> : null}</td>
                  <td>{p.in}</td>
                  <td><TypeOf schema={p.schema} /></td>
                  <td>{[p.description, facts(p.schema)].filter(Boolean).join('. ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {body ? (
        <>
          <h4>Body{op.requestBody?.required ? '' : ' (optional)'}</h4>
          <Fields schema={body} />
        </>
      ) : null}
      <h4>Answers</h4>
      <ul class="plain">
        {Object.entries(op.responses).filter(([, response]) => !response.$ref).map(([status, response]) => {
          const schema = response.content?.['application/json']?.schema;
          return <li><code>{status}</code> {schema ? <><TypeOf schema={schema} />: </> : null}{response.description}</li>;
        })}
        <li>
          <a href="#errors">Errors</a>:{' '}
          {Object.entries(op.responses).filter(([, response]) => response.$ref).map(([status], i) => <>{i > 0 ? ', ' : null}<code>{status}</code></>)}
        </li>
      </ul>
    </article>
  );
}

/**
 * The REST API's reference, rendered from its OpenAPI document: each group of operations with
 * their parameters, bodies and answers, then the shapes they share. No script: it is plain HTML.
 */
export function apiReferencePage(visitor: Visitor, document: ApiReferenceDocument): string {
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op: op as ReferenceOperation })));
  const server = document.servers[0]?.url ?? '';
  return renderPage({ title: 'REST API', visitor, wide: true }, (
    <>
      <section>
        <h1>{document.info.title}</h1>
        {document.info.description.split('\n\n').map((paragraph) => <p>{paragraph.replace(/`/g, '')}</p>)}
        <p>Paths start at <code>{visitor.baseUrl + server}</code>. The machine-readable document: <a href={`${server}/openapi.json`}><code>{server}/openapi.json</code></a> (OpenAPI 3.1).</p>
        <nav aria-label="API groups">
          <ul class="plain">
            {document.tags.map((tag) => <li><a href={`#${anchor('tag', tag.name)}`}>{tag.name}</a> <span class="muted">{tag.description}</span></li>)}
            <li><a href="#errors">Errors</a> <span class="muted">What each error status means.</span></li>
            <li><a href="#schemas">Shapes</a> <span class="muted">The objects operations answer with.</span></li>
          </ul>
        </nav>
      </section>
      {document.tags.map((tag) => (
        <section id={anchor('tag', tag.name)}>
          <h2>{tag.name}</h2>
          <p class="muted">{tag.description}</p>
          {operations.filter((o) => o.op.tags[0] === tag.name).map((o) => <Operation method={o.method} path={o.path} op={o.op} />)}
        </section>
      ))}
      <section id="errors">
        <h2>Errors</h2>
        <p>Every error answer is an <a href={`#${anchor('schema', 'Error')}`}>Error</a>: <code>{'{ "error": { "code", "message" } }'}</code>.</p>
        <div class="table-scroll">
          <table>
            <thead><tr><th scope="col">Status</th><th scope="col">Codes</th></tr></thead>
            <tbody>
              {Object.entries(document.components.responses ?? {}).map(([name, response]) => (
                <tr><td><code>{name.replace(/^Error/, '') || 'other'}</code></td><td>{String((response as ReferenceResponse).description ?? '').replace(/`/g, '')}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section id="schemas">
        <h2>Shapes</h2>
        {Object.entries(document.components.schemas).map(([name, raw]) => {
          const schema = raw as ReferenceSchema;
          return (
            <article class="op" id={anchor('schema', name)}>
              <h3>{name}</h3>
              {schema.description ? <p>{schema.description}</p> : null}
              <Fields schema={schema} />
            </article>
          );
        })}
      </section>
    </>
  ));
}
