import type { Kysely, Selectable } from 'kysely';
import type { OwnersTable, TokensTable } from '../../db/schema.js';
import { PreparedQuery } from '../../db/prepared-query.js';
import { recordAudit } from '../audit/audit-log.js';
import type { CoreDeps } from '../context.js';
import { untrackedChanges } from '../data-changes.js';
import { KuraError } from '../errors/catalogue.js';
import { UnchangedReads } from '../unchanged-reads.js';
import { toOwner } from '../owners/owner-service.js';
import type { Owner } from '../owners/owner.js';
import { generateToken, hashToken, isWellFormedToken } from './token-format.js';
import { parseScopes, type Scope } from './scopes.js';

export interface TokenRecord {
  id: number;
  userId: number;
  name: string;
  /** The first characters of the token, to tell tokens apart in listings. */
  prefix: string;
  scopes: Scope[];
  repoId: number | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export interface CreateTokenInput {
  userId: number;
  name?: string | undefined;
  scopes: readonly string[] | string;
  expiresAt?: Date | null | undefined;
  repoId?: number | null | undefined;
}

/** An authenticated token: its user and what the token allows. */
export interface TokenIdentity {
  user: Owner;
  token: TokenRecord;
}

const lastUsedResolutionMs = 60_000;

type TokenLookupRow = Selectable<TokensTable> & Pick<Selectable<OwnersTable>, 'login' | 'kind' | 'email' | 'is_admin' | 'public_packages_by_default' | 'suspended_at'> & { owner_created_at: string };

/**
 * Personal access tokens: created once, stored hashed, checked in one indexed lookup that is
 * reused until the database changes (so a revocation or a suspension counts on the next request).
 */
export class TokenService {
  /** Per token id, when last_used_at was last written (writes are spaced a minute apart). */
  private readonly lastUsedWritten = new Map<number, number>();

  /** The lookup on every authenticated request, compiled once. */
  private readonly lookup: PreparedQuery<TokenLookupRow, { hash: string }>;

  /** Identities by presented token (null: unknown, revoked or suspended). */
  private readonly lookups: UnchangedReads<TokenIdentity | null>;

  constructor(private readonly deps: CoreDeps) {
    this.lookups = new UnchangedReads(deps.changes ?? untrackedChanges);
    this.lookup = new PreparedQuery((param) => deps.db.selectFrom('tokens')
      .innerJoin('owners', 'owners.id', 'tokens.user_id')
      .selectAll('tokens')
      .select(['owners.login', 'owners.kind', 'owners.email', 'owners.is_admin', 'owners.public_packages_by_default', 'owners.suspended_at', 'owners.created_at as owner_created_at'])
      .where('tokens.token_hash', '=', param('hash')));
  }

  /** Creates a token and returns its only plain-text copy. @throws KuraError BAD_REQUEST */
  async create(input: CreateTokenInput, actorId: number | null = null): Promise<{ token: string; record: TokenRecord }> {
    const scopes = parseScopes(input.scopes);
    const now = this.deps.now();
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) throw new KuraError('BAD_REQUEST', 'the expiry must be in the future');
    const token = generateToken();
    const name = input.name?.trim() || `token ${now.toISOString().slice(0, 19)}`;
    if ([...name].length > maxTokenNameLength) throw new KuraError('BAD_REQUEST', `the token's name is longer than ${maxTokenNameLength} characters`);
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await trx.insertInto('tokens').values({
        user_id: input.userId,
        name,
        token_hash: hashToken(token),
        token_prefix: token.slice(0, 9),
        scopes: scopes.join(','),
        repo_id: input.repoId ?? null,
        expires_at: input.expiresAt ? input.expiresAt.toISOString() : null,
        last_used_at: null,
        revoked_at: null,
        created_at: now.toISOString(),
      }).returningAll().executeTakeFirstOrThrow();
      await recordAudit(trx, { actorId: actorId ?? input.userId, action: 'token.create', target: `token:${inserted.id}`, ownerId: input.userId, repoId: input.repoId ?? null, meta: { user: input.userId, scopes, repoId: input.repoId ?? null } }, now);
      return inserted;
    });
    return { token, record: this.toRecord(row) };
  }

  /** Every token of a user, newest first, revoked ones included. */
  async list(userId: number): Promise<TokenRecord[]> {
    const rows = await this.deps.db.selectFrom('tokens').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').execute();
    return rows.map((r) => this.toRecord(r));
  }

  /**
   * Revokes a token; takes effect on the next request anywhere. When `userId` is given the token must belong to that user.
   * @throws KuraError NOT_FOUND
   */
  async revoke(id: number, userId: number | null = null, actorId: number | null = null): Promise<void> {
    const now = this.deps.now();
    await this.deps.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom('tokens').select(['id', 'user_id', 'repo_id', 'revoked_at']).where('id', '=', id);
      if (userId !== null) query = query.where('user_id', '=', userId);
      const row = await query.executeTakeFirst();
      if (!row) throw new KuraError('NOT_FOUND', `no token with id ${id}`);
      if (row.revoked_at) return;
      await trx.updateTable('tokens').set({ revoked_at: now.toISOString() }).where('id', '=', id).execute();
      await recordAudit(trx, { actorId, action: 'token.revoke', target: `token:${id}`, ownerId: row.user_id, repoId: row.repo_id }, now);
    });
  }

  /**
   * Resolves a presented token. Returns null for anything not valid now: malformed, unknown,
   * revoked or expired. The identity returned may be shared between calls: it is not to be changed.
   */
  async authenticate(presented: string): Promise<TokenIdentity | null> {
    const identity = await this.lookups.get(presented, async () => {
      if (!isWellFormedToken(presented)) return null;
      const [row] = await this.lookup.execute(this.deps.db as Kysely<unknown>, { hash: hashToken(presented) });
      if (!row || row.revoked_at || row.suspended_at) return null;
      const user = toOwner({
        id: row.user_id, login: row.login, login_lower: row.login.toLowerCase(), kind: row.kind, email: row.email,
        password_hash: null, is_admin: row.is_admin, public_packages_by_default: row.public_packages_by_default, created_at: row.owner_created_at, suspended_at: null,
      });
      return { user, token: this.toRecord(row) };
    });
    if (!identity) return null;
    const now = this.deps.now();
    if (identity.token.expiresAt && identity.token.expiresAt <= now.toISOString()) return null;
    this.noteUse(identity.token.id, now);
    return identity;
  }

  /** Records last use at most once a minute per token, off the request path. */
  private noteUse(id: number, now: Date): void {
    const last = this.lastUsedWritten.get(id) ?? 0;
    if (now.getTime() - last < lastUsedResolutionMs) return;
    this.lastUsedWritten.set(id, now.getTime());
    void this.deps.db.updateTable('tokens').set({ last_used_at: now.toISOString() }).where('id', '=', id).execute().catch(() => undefined);
  }

  private toRecord(row: {
    id: number; user_id: number; name: string; token_prefix: string; scopes: string; repo_id: number | null;
    expires_at: string | null; last_used_at: string | null; revoked_at: string | null; created_at: string;
  }): TokenRecord {
    return {
      id: row.id,
      userId: row.user_id,
      name: row.name,
      prefix: row.token_prefix,
      scopes: row.scopes.split(',') as Scope[],
      repoId: row.repo_id,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
      createdAt: row.created_at,
    };
  }
}

/** The longest name a token may have (the tokens page's field takes as much). */
export const maxTokenNameLength = 100;

/** The latest expiry a token can have: the end of year 9999 (later times are not four-digit ISO 8601 years). */
const latestExpiry = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const latestExpiryText = 'the end of year 9999';

/**
 * Parses an expiry like `30d`, `12h`, `90m` or `2w` into a future date.
 * @throws KuraError BAD_REQUEST on anything else, or a date past {@link latestExpiry}.
 */
export function parseExpiresIn(input: string, now: Date): Date {
  const match = /^(\d+)\s*([mhdw])$/.exec(input.trim());
  if (!match) throw new KuraError('BAD_REQUEST', `invalid expiry "${input}": use a number and m, h, d or w (e.g. 30d)`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'm' | 'h' | 'd' | 'w'];
  const amount = Number(match[1]);
  if (amount <= 0) throw new KuraError('BAD_REQUEST', 'the expiry must be positive');
  const expiresAt = new Date(now.getTime() + amount * unit);
  if (!(expiresAt.getTime() <= latestExpiry)) throw new KuraError('BAD_REQUEST', `invalid expiry "${input}": at most ${latestExpiryText}; leave it out for a token that does not expire`);
  return expiresAt;
}
