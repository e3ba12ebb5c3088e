import { KuraError } from '../errors/catalogue.js';
import type { Owner } from '../owners/owner.js';
import type { Repository } from '../repos/repository.js';
import { AllowedHosts, bareHost, isIpLiteral, refusedAddress, urlPort } from './address-rules.js';

/** The events a webhook can subscribe to; `*` subscribes to every one. */
export const webhookEvents = ['package.published', 'package.updated', 'package.deleted', 'package.restored', 'alert.created'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/** Where a webhook hangs: a repository (its admins), an organization (its owners) or the site (site admins). */
export type HookScope =
  | { kind: 'repository'; repo: Repository; owner: Owner }
  | { kind: 'organization'; org: Owner }
  | { kind: 'site' };

/** A webhook as the API shows it; its secret never leaves the server, only whether it has one. */
export interface Webhook {
  id: number;
  scope: HookScope['kind'];
  ownerId: number | null;
  repoId: number | null;
  url: string;
  contentType: 'json';
  hasSecret: boolean;
  insecureSsl: boolean;
  events: string[];
  active: boolean;
  /** The latest attempt's outcome (GitHub's `last_response`): `unused` before any. */
  lastResponse: { code: number | null; status: 'unused' | 'active' | 'failed'; message: string | null };
  createdAt: string;
  updatedAt: string;
}

/** What a caller sends to create or change a webhook (GitHub's field names). */
export interface WebhookInput {
  name?: unknown;
  config?: unknown;
  events?: unknown;
  add_events?: unknown;
  remove_events?: unknown;
  active?: unknown;
}

/** A webhook's configuration after validation; `secret` undefined keeps the current one. */
export interface HookConfig {
  url: string;
  contentType: 'json';
  secret: string | null | undefined;
  insecureSsl: boolean;
}

/** How an audit row and messages name a webhook's scope: `repo:alice/tools`, `org:acme`, `site`. */
export function scopeTarget(scope: HookScope): string {
  return scope.kind === 'repository' ? `repo:${scope.repo.fullName}` : scope.kind === 'organization' ? `org:${scope.org.login}` : 'site';
}

/** `repository alice/tools`, `organization acme`, `the site`. */
export function scopeLabel(scope: HookScope): string {
  return scope.kind === 'repository' ? `repository ${scope.repo.fullName}` : scope.kind === 'organization' ? `organization ${scope.org.login}` : 'the site';
}

/** The URL with any user name and password taken out, for audit rows and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * A webhook URL: http or https, with a host; a host that is an IP address of a refused range
 * (loopback, private, link-local…) only when `KURA_WEBHOOK_ALLOWED_HOSTS` lists it. Names are
 * resolved and checked on every delivery (and every redirect), where literal addresses are
 * checked again.
 * @throws KuraError BAD_REQUEST naming the rule
 */
export function checkHookUrl(value: unknown, allowed: AllowedHosts): string {
  if (typeof value !== 'string' || value.trim() === '') throw new KuraError('BAD_REQUEST', '"config.url" is required: the http(s) URL deliveries are posted to');
  if (value.length > 2048) throw new KuraError('BAD_REQUEST', '"config.url" is at most 2048 characters');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new KuraError('BAD_REQUEST', `"config.url" is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new KuraError('BAD_REQUEST', `"config.url" must be an http or https URL, not ${url.protocol.replace(/:$/, '')}`);
  if (!url.hostname) throw new KuraError('BAD_REQUEST', '"config.url" has no host');
  const host = bareHost(url.hostname);
  if (!allowed.allows(host, urlPort(url))) {
    const refused = isIpLiteral(host) ? refusedAddress(host) : null;
    if (refused) {
      throw new KuraError('BAD_REQUEST', `"config.url" points at ${host}, a ${refused.rule} address (${refused.range}); webhooks may not reach it unless KURA_WEBHOOK_ALLOWED_HOSTS lists it`);
    }
  }
  return url.toString();
}

/**
 * The configuration in a create or change body, over `current` (fields left out keep their
 * values; a null or empty `secret` removes it).
 * @throws KuraError BAD_REQUEST naming the field
 */
export function parseHookConfig(value: unknown, current: HookConfig | null, allowed: AllowedHosts): HookConfig {
  if (value === undefined && current) return { ...current, secret: undefined };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new KuraError('BAD_REQUEST', '"config" must be an object with "url" (and "secret", "content_type", "insecure_ssl")');
  const config = value as Record<string, unknown>;
  const url = config['url'] === undefined && current ? current.url : checkHookUrl(config['url'], allowed);
  const type = config['content_type'] ?? current?.contentType ?? 'json';
  if (type !== 'json') throw new KuraError('BAD_REQUEST', '"config.content_type" must be "json" (deliveries are JSON documents)');
  const secretValue = config['secret'];
  let secret: string | null | undefined;
  if (secretValue === undefined) secret = undefined;
  else if (secretValue === null || secretValue === '') secret = null;
  else if (typeof secretValue !== 'string') throw new KuraError('BAD_REQUEST', '"config.secret" must be a string');
  else if (secretValue.length > 1024) throw new KuraError('BAD_REQUEST', '"config.secret" is at most 1024 characters');
  else secret = secretValue;
  const insecure = config['insecure_ssl'] ?? (current?.insecureSsl ? '1' : '0');
  if (insecure !== '0' && insecure !== '1' && insecure !== 0 && insecure !== 1) throw new KuraError('BAD_REQUEST', '"config.insecure_ssl" must be "0" (verify certificates) or "1"');
  return { url, contentType: 'json', secret, insecureSsl: String(insecure) === '1' };
}

/** @throws KuraError BAD_REQUEST unless `value` is a list of known event names (or `*`) */
function eventList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((e) => typeof e !== 'string')) throw new KuraError('BAD_REQUEST', `"${field}" must be a list of event names`);
  const unknown = (value as string[]).filter((e) => e !== '*' && !(webhookEvents as readonly string[]).includes(e));
  if (unknown.length > 0) throw new KuraError('BAD_REQUEST', `"${field}" names unknown events (${unknown.join(', ')}); known: ${webhookEvents.join(', ')}, or "*" for all`);
  return [...new Set(value as string[])];
}

/**
 * The events after a create (`events`, default every one) or a change (`events` replaces,
 * `add_events` and `remove_events` adjust).
 * @throws KuraError BAD_REQUEST naming the field
 */
export function parseHookEvents(input: WebhookInput, current: readonly string[] | null): string[] {
  let events = input.events === undefined ? (current ? [...current] : ['*']) : eventList(input.events, 'events');
  if (input.add_events !== undefined) events = [...new Set([...events, ...eventList(input.add_events, 'add_events')])];
  if (input.remove_events !== undefined) {
    const removed = new Set(eventList(input.remove_events, 'remove_events'));
    events = events.filter((e) => !removed.has(e));
  }
  if (events.length === 0) throw new KuraError('BAD_REQUEST', '"events" may not be empty: name at least one event, or "*"');
  return events.includes('*') ? ['*'] : events;
}

/** @throws KuraError BAD_REQUEST for anything but a boolean */
export function parseActive(value: unknown, current: boolean): boolean {
  if (value === undefined) return current;
  if (typeof value !== 'boolean') throw new KuraError('BAD_REQUEST', '"active" must be true or false');
  return value;
}

/** Whether a webhook subscribed to `event`. */
export function subscribes(events: readonly string[], event: WebhookEvent): boolean {
  return events.includes('*') || events.includes(event);
}
