import type { Kysely } from 'kysely';
import type { MigrationDialect } from '../migrate.js';

// Migrations see the schema as it is at their point in history, not as schema.ts declares it now.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

interface Scope {
  owner_id: number | null;
  repo_id: number | null;
  package_id: number | null;
}

const none: Scope = { owner_id: null, repo_id: null, package_id: null };

/**
 * Whose each audit row is: the owner (user or organization) of what changed, and the repository
 * and package it concerns, so an organization's audit log and its filters are one indexed query.
 * Rows written before are tied to them from their target where it names them unambiguously.
 */
export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('owner_id', 'integer').execute();
  await db.schema.alterTable('audit_log').addColumn('repo_id', 'integer').execute();
  await db.schema.alterTable('audit_log').addColumn('package_id', 'integer').execute();
  await db.schema.createIndex('audit_log_owner').on('audit_log').columns(['owner_id', 'created_at']).execute();
  await db.schema.createIndex('audit_log_package').on('audit_log').columns(['package_id', 'created_at']).execute();
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'created_at']).execute();
  await db.schema.createIndex('audit_log_created').on('audit_log').column('created_at').execute();
  await backfill(db as AnyDb);
}

/** Ties existing rows to their owner, repository and package, 500 rows at a time. */
async function backfill(db: AnyDb): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').select(['id', 'target']).where('id', '>', after).orderBy('id').limit(500).execute() as Array<{ id: number; target: string }>;
    if (rows.length === 0) return;
    for (const row of rows) {
      const scope = await scopeOf(db, row.target);
      if (scope.owner_id !== null) await db.updateTable('audit_log').set(scope).where('id', '=', row.id).execute();
    }
    after = rows[rows.length - 1]!.id;
  }
}

/** The scope a target string names (`owner:alice`, `repo:alice/tools`, `npm:@alice/widget@1.0.0`…), or none. */
async function scopeOf(db: AnyDb, target: string): Promise<Scope> {
  const colon = target.indexOf(':');
  if (colon < 0) return none;
  const kind = target.slice(0, colon);
  const rest = target.slice(colon + 1);
  switch (kind) {
    case 'owner':
    case 'org':
    case 'user': {
      const owner = await db.selectFrom('owners').select('id').where('login_lower', '=', rest.toLowerCase()).executeTakeFirst();
      return owner ? { ...none, owner_id: owner.id } : none;
    }
    case 'repo':
      return repositoryScope(db, rest);
    case 'token':
    case 'session': {
      if (!/^\d+$/.test(rest)) return none;
      const row = await db.selectFrom(kind === 'token' ? 'tokens' : 'web_sessions').select('user_id').where('id', '=', Number(rest)).executeTakeFirst();
      return row ? { ...none, owner_id: row.user_id } : none;
    }
    case 'advisory': {
      const row = await db.selectFrom('advisories').innerJoin('repositories', 'repositories.id', 'advisories.repo_id')
        .select(['repositories.id as repo_id', 'repositories.owner_id'])
        .where(/^\d+$/.test(rest) ? 'advisories.id' : 'advisories.ghsa_id', '=', /^\d+$/.test(rest) ? Number(rest) : rest)
        .executeTakeFirst();
      return row ? { owner_id: row.owner_id, repo_id: row.repo_id, package_id: null } : none;
    }
    case 'package':
      return /^\d+$/.test(rest) ? packageScope(db, (q) => q.where('id', '=', Number(rest))) : none;
    default: {
      // FORMAT:NAME[@VERSION][/FILE]: the package, when only one owner has one of that name.
      const at = rest.indexOf('@', 1);
      const name = at < 0 ? rest : rest.slice(0, at);
      return packageScope(db, (q) => q.where('format', '=', kind).where('name', '=', name));
    }
  }
}

async function repositoryScope(db: AnyDb, fullName: string): Promise<Scope> {
  const [login, name] = fullName.split('/');
  if (!login || !name) return none;
  const row = await db.selectFrom('repositories').innerJoin('owners', 'owners.id', 'repositories.owner_id')
    .select(['repositories.id', 'repositories.owner_id'])
    .where('owners.login_lower', '=', login.toLowerCase()).where('repositories.name_lower', '=', name.toLowerCase())
    .executeTakeFirst();
  return row ? { owner_id: row.owner_id, repo_id: row.id, package_id: null } : none;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function packageScope(db: AnyDb, where: (query: any) => any): Promise<Scope> {
  const rows = await where(db.selectFrom('packages').select(['id', 'owner_id', 'repo_id'])).limit(2).execute() as Array<{ id: number; owner_id: number; repo_id: number | null }>;
  const [row] = rows;
  return row && rows.length === 1 ? { owner_id: row.owner_id, repo_id: row.repo_id, package_id: row.id } : none;
}
