import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config/config.js';
import { KuraError } from '../core/errors/catalogue.js';
import { parseExpiresIn } from '../core/tokens/token-service.js';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fromOsv } from '../core/advisories/osv.js';
import { anonymous, operator, passwordPrincipal } from '../core/access/principal.js';
import type { OrgRole } from '../core/owners/owner.js';
import type { PackageRecord } from '../core/packages/package.js';
import type { RepoRole } from '../core/repos/repository.js';
import { osvEcosystems } from '../formats/catalog.js';
import { formats } from '../formats/registry.js';
import { createKura, openCore } from '../main.js';
import type { Core } from '../core/core.js';
import { progressBar } from './progress-line.js';

const usage = `Usage: kura <command> [options]

Commands:
  serve [--host H] [--port N] [--base-url URL]     start the server
  user create LOGIN [--password-stdin] [--email E] [--admin]
  user suspend LOGIN                               the user's tokens, password and browser
                                                   sessions stop working at once
  user unsuspend LOGIN
  owner set-default-visibility OWNER public|private
                                                   the visibility new unlinked packages start with
  org create LOGIN --owner USER
  org add-member ORG USER [--role owner|member]    add a member, or change their role
  org set-role ORG USER owner|member               change a member's role
  org remove-member ORG USER                       also ends their roles on the org's
                                                   repositories and packages
  repo create OWNER/NAME [--private] [--description TEXT]
  repo update OWNER/NAME [--private|--public] [--description TEXT]
  repo add-collaborator OWNER/NAME USER --role read|write|admin
                                                   add a collaborator, or change their role
  repo remove-collaborator OWNER/NAME USER
  package link OWNER TYPE NAME OWNER/REPO          the package then follows the repository's
                                                   visibility and permissions
  package unlink OWNER TYPE NAME
  package set-role OWNER TYPE NAME USER read|write|admin
  package remove-role OWNER TYPE NAME USER
  token create --user LOGIN --scopes S1,S2 [--name N] [--expires-in 30d] [--repo OWNER/NAME]
  token list --user LOGIN
  token revoke ID
  advisory create OWNER/REPO --user LOGIN --file ADVISORY.json [--publish]
  advisory publish ID --user LOGIN
  advisory list OWNER/REPO [--user LOGIN]
  advisory import FILE|DIR
  advisory review ID --user LOGIN
  alert list OWNER/REPO [--user LOGIN]
  migrate [--to-database postgres://…] [--to-blob s3]
                                                   copy this install (SQLite and DATA/blobs) into
                                                   PostgreSQL and/or the bucket named by KURA_S3_*;
                                                   rerun to resume or to catch up, then cut over

Every command takes --data DIR (env KURA_DATA_DIR, default ./data).
Scopes: read:packages, write:packages, delete:packages, admin.`;

class UsageError extends Error {}

/** Whether `range` is a valid range of `ecosystem` (the format of that id). */
const validRange = (ecosystem: string, range: string) => formats.find((f) => f.id === ecosystem)?.versionRanges?.valid(range) ?? false;

const options = {
  data: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'base-url': { type: 'string' },
  'log-level': { type: 'string' },
  'max-body-size': { type: 'string' },
  'max-blob-size': { type: 'string' },
  'blob-driver': { type: 'string' },
  database: { type: 'string' },
  'database-url': { type: 'string' },
  'to-database': { type: 'string' },
  'to-blob': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  email: { type: 'string' },
  admin: { type: 'boolean' },
  owner: { type: 'string' },
  role: { type: 'string' },
  private: { type: 'boolean' },
  public: { type: 'boolean' },
  description: { type: 'string' },
  user: { type: 'string' },
  scopes: { type: 'string' },
  name: { type: 'string' },
  'expires-in': { type: 'string' },
  repo: { type: 'string' },
  file: { type: 'string' },
  publish: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

/** The package `OWNER TYPE NAME` names (NAME as its format spells it, e.g. `@alice/widget`). */
async function requirePackage(core: Core, ownerLogin: string, type: string, name: string): Promise<PackageRecord> {
  const format = formats.find((f) => f.id === type);
  if (!format) throw new UsageError(`unknown package type "${type}" (known: ${formats.map((f) => f.id).join(', ')})`);
  const owner = await core.owners.find(ownerLogin);
  const nameLower = owner ? format.normalizeName(owner.login, name) : null;
  const pkg = owner && nameLower ? await core.packages.queries.find(format.id, owner.login, nameLower) : null;
  if (!pkg) throw new KuraError('NOT_FOUND', `no ${type} package ${name} owned by ${ownerLogin}`);
  return pkg;
}

async function withCore<T>(values: Values, run: (core: Core) => Promise<T>): Promise<T> {
  const core = await openCore(loadConfig(values as Record<string, string | undefined>));
  try {
    return await run(core);
  } finally {
    await core.webhookEvents.settled();
    await core.deps.db.destroy();
  }
}

async function serve(values: Values): Promise<number> {
  const config = loadConfig(values as Record<string, string | undefined>);
  const kura = await createKura(config, { startJobs: true });
  const empty = (await kura.core.owners.countUsers()) === 0;
  const address = await kura.app.listen({ host: config.host, port: config.port });
  if (empty) {
    process.stderr.write([
      'kura: no users yet. Create the first one and a token:',
      '  npx kura user create alice --admin --password-stdin',
      '  npx kura token create --user alice --scopes read:packages,write:packages',
      '',
    ].join('\n'));
  }
  process.stderr.write(`kura: listening on ${address} (data in ${config.dataDir})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await kura.close();
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(`${usage}\n`);
    return command || values.help ? 0 : 2;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'serve':
      return serve(values);
    case 'user create':
      return withCore(values, async (core) => {
        const password = values['password-stdin'] ? await readStdin() : undefined;
        const user = await core.owners.createUser({ login: need(rest[0], 'LOGIN'), password, email: values.email, admin: values.admin });
        say(`created user ${user.login}${user.isAdmin ? ' (site admin)' : ''}`);
        return 0;
      });
    case 'user suspend':
    case 'user unsuspend':
      return withCore(values, async (core) => {
        const user = await core.owners.setSuspended(need(rest[0], 'LOGIN'), sub === 'suspend', operator);
        say(`${user.login} is ${user.suspendedAt ? 'suspended' : 'no longer suspended'}`);
        return 0;
      });
    case 'owner set-default-visibility':
      return withCore(values, async (core) => {
        const visibility = need(rest[1], 'public|private');
        if (visibility !== 'public' && visibility !== 'private') throw new UsageError('the visibility is public or private');
        const owner = await core.owners.setPublicPackagesByDefault(need(rest[0], 'OWNER'), visibility === 'public', operator);
        say(`new unlinked packages of ${owner.login} start ${visibility}`);
        return 0;
      });
    case 'org create':
      return withCore(values, async (core) => {
        const org = await core.owners.createOrg(need(rest[0], 'LOGIN'), need(values.owner, '--owner USER'));
        say(`created organization ${org.login} owned by ${values.owner}`);
        return 0;
      });
    case 'org add-member':
      return withCore(values, async (core) => {
        const role = (values.role ?? 'member') as OrgRole;
        await core.owners.setOrgMember(need(rest[0], 'ORG'), need(rest[1], 'USER'), role);
        say(`${rest[1]} is now ${role} of ${rest[0]}`);
        return 0;
      });
    case 'org set-role':
      return withCore(values, async (core) => {
        const role = need(rest[2], 'ROLE (owner or member)') as OrgRole;
        await core.owners.setOrgRole(need(rest[0], 'ORG'), need(rest[1], 'USER'), role, operator);
        say(`${rest[1]} is now ${role} of ${rest[0]}`);
        return 0;
      });
    case 'org remove-member':
      return withCore(values, async (core) => {
        const ended = await core.owners.removeOrgMember(need(rest[0], 'ORG'), need(rest[1], 'USER'), operator);
        say(`removed ${rest[1]} from ${rest[0]} (with their roles on ${ended.repositories} of its repositories and ${ended.packages} of its packages)`);
        return 0;
      });
    case 'repo create':
      return withCore(values, async (core) => {
        const repo = await core.repos.create({ fullName: need(rest[0], 'OWNER/NAME'), visibility: values.private ? 'private' : 'public', description: values.description });
        say(`created ${repo.visibility} repository ${repo.fullName}`);
        return 0;
      });
    case 'repo update':
      return withCore(values, async (core) => {
        if (values.private && values.public) throw new UsageError('--private and --public exclude each other');
        if (!values.private && !values.public && values.description === undefined) throw new UsageError('nothing to change: give --private, --public or --description');
        const repo = await core.repos.update(await core.repos.require(need(rest[0], 'OWNER/NAME')), {
          visibility: values.private ? 'private' : values.public ? 'public' : undefined,
          description: values.description,
        }, operator);
        say(`${repo.fullName} is ${repo.visibility}${repo.description ? `: ${repo.description}` : ''}`);
        return 0;
      });
    case 'repo remove-collaborator':
      return withCore(values, async (core) => {
        await core.repos.removeCollaborator(await core.repos.require(need(rest[0], 'OWNER/NAME')), need(rest[1], 'USER'), operator);
        say(`${rest[1]} is no longer a collaborator on ${rest[0]}`);
        return 0;
      });
    case 'package link':
      return withCore(values, async (core) => {
        const pkg = await requirePackage(core, need(rest[0], 'OWNER'), need(rest[1], 'TYPE'), need(rest[2], 'NAME'));
        const linked = await core.packages.linkRepository(operator, pkg, await core.repos.require(need(rest[3], 'OWNER/REPO')));
        say(`${linked.format} package ${linked.name} is linked to ${linked.repo!.fullName} (${linked.repo!.visibility})`);
        return 0;
      });
    case 'package unlink':
      return withCore(values, async (core) => {
        const pkg = await requirePackage(core, need(rest[0], 'OWNER'), need(rest[1], 'TYPE'), need(rest[2], 'NAME'));
        const unlinked = await core.packages.unlinkRepository(operator, pkg);
        say(`${unlinked.format} package ${unlinked.name} is no longer linked (${unlinked.visibility})`);
        return 0;
      });
    case 'package set-role':
      return withCore(values, async (core) => {
        const pkg = await requirePackage(core, need(rest[0], 'OWNER'), need(rest[1], 'TYPE'), need(rest[2], 'NAME'));
        const { member } = await core.packages.setMember(operator, pkg, need(rest[3], 'USER'), need(rest[4], 'ROLE (read, write or admin)') as RepoRole);
        say(`${member.user.login} now has ${member.role} on ${pkg.format} package ${pkg.name}`);
        return 0;
      });
    case 'package remove-role':
      return withCore(values, async (core) => {
        const pkg = await requirePackage(core, need(rest[0], 'OWNER'), need(rest[1], 'TYPE'), need(rest[2], 'NAME'));
        await core.packages.removeMember(operator, pkg, need(rest[3], 'USER'));
        say(`${rest[3]} no longer has a role on ${pkg.format} package ${pkg.name}`);
        return 0;
      });
    case 'repo add-collaborator':
      return withCore(values, async (core) => {
        const role = need(values.role, '--role read|write|admin') as 'read' | 'write' | 'admin';
        await core.repos.setCollaborator(need(rest[0], 'OWNER/NAME'), need(rest[1], 'USER'), role);
        say(`${rest[1]} now has ${role} on ${rest[0]}`);
        return 0;
      });
    case 'token create':
      return withCore(values, async (core) => {
        const user = await core.owners.requireUser(need(values.user, '--user LOGIN'));
        const repo = values.repo ? await core.repos.require(values.repo) : null;
        const { token } = await core.tokens.create({
          userId: user.id,
          name: values.name,
          scopes: need(values.scopes, '--scopes S1,S2'),
          expiresAt: values['expires-in'] ? parseExpiresIn(values['expires-in'], core.deps.now()) : null,
          repoId: repo?.id ?? null,
        });
        say(token);
        return 0;
      });
    case 'token list':
      return withCore(values, async (core) => {
        const user = await core.owners.requireUser(need(values.user, '--user LOGIN'));
        const tokens = await core.tokens.list(user.id);
        if (tokens.length === 0) say(`${user.login} has no tokens`);
        for (const t of tokens) {
          const state = t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt <= new Date().toISOString() ? 'expired' : 'active';
          say([t.id, t.prefix + '…', t.name, t.scopes.join(','), state, `expires ${t.expiresAt ?? 'never'}`, `last used ${t.lastUsedAt ?? 'never'}`].join('\t'));
        }
        return 0;
      });
    case 'token revoke':
      return withCore(values, async (core) => {
        const text = need(rest[0], 'ID');
        // Decimal digits only: `0x1` or `1e0` must not revoke token 1.
        if (!/^[1-9]\d{0,14}$/.test(text)) throw new UsageError('ID must be a number (see kura token list)');
        const id = Number(text);
        await core.tokens.revoke(id);
        say(`revoked token ${id}`);
        return 0;
      });
    case 'advisory create':
      return withCore(values, async (core) => {
        const principal = passwordPrincipal(await core.owners.requireUser(need(values.user, '--user LOGIN')));
        const repo = await core.repos.require(need(rest[0], 'OWNER/REPO'));
        let input: Record<string, unknown>;
        try {
          input = JSON.parse(await readFile(need(values.file, '--file ADVISORY.json'), 'utf8')) as Record<string, unknown>;
        } catch (error) {
          throw new UsageError(`--file must name a JSON advisory (${error instanceof Error ? error.message : String(error)})`);
        }
        const advisory = await core.advisories.create(principal, repo, { ...input, ...(values.publish ? { state: 'published' } : {}) }, validRange);
        say(`${advisory.ghsaId}\t${advisory.state}\t${advisory.severity}\t${advisory.summary}`);
        return 0;
      });
    case 'advisory publish':
      return withCore(values, async (core) => {
        const principal = passwordPrincipal(await core.owners.requireUser(need(values.user, '--user LOGIN')));
        const advisory = await core.advisories.find(principal, need(rest[0], 'ID'));
        const published = await core.advisories.update(principal, advisory, { state: 'published' }, validRange);
        say(`${published.ghsaId}\tpublished ${published.publishedAt}`);
        return 0;
      });
    case 'advisory list':
      return withCore(values, async (core) => {
        const principal = values.user ? passwordPrincipal(await core.owners.requireUser(values.user)) : anonymous;
        const advisories = await core.advisories.list(principal, await core.repos.require(need(rest[0], 'OWNER/REPO')));
        if (advisories.length === 0) say(`${rest[0]} has no advisories${values.user ? '' : ' (published ones; --user LOGIN shows drafts to admins)'}`);
        for (const a of advisories) say([a.ghsaId, a.state, a.severity, a.cveId ?? '-', a.summary].join('\t'));
        return 0;
      });
    case 'advisory review':
      return withCore(values, async (core) => {
        const principal = passwordPrincipal(await core.owners.requireUser(need(values.user, '--user LOGIN')));
        const reviewed = await core.advisories.review(principal, await core.advisories.find(principal, need(rest[0], 'ID')));
        say(`${reviewed.ghsaId}\treviewed ${reviewed.reviewedAt}`);
        return 0;
      });
    case 'alert list':
      return withCore(values, async (core) => {
        const principal = values.user ? passwordPrincipal(await core.owners.requireUser(values.user)) : anonymous;
        const alerts = await core.alerts.list(principal, await core.repos.require(need(rest[0], 'OWNER/REPO')));
        if (alerts.length === 0) say(`${rest[0]} has no alerts`);
        for (const a of alerts) say([`#${a.number}`, a.state, a.advisory.severity, a.advisory.ghsaId, a.path.join(' > '), a.firstPatched ? `fix ${a.firstPatched}` : 'no fix yet'].join('\t'));
        return 0;
      });
    case 'migrate':
      // Loaded on demand: it brings the PostgreSQL and S3 client libraries.
      return (await import('./migrate-command.js')).migrateCommand(values);
    case 'advisory import':
      return withCore(values, async (core) => {
        const path = need(rest[0], 'FILE|DIR');
        const files = (await stat(path)).isDirectory() ? (await readdir(path)).filter((f) => f.endsWith('.json')).sort().map((f) => join(path, f)) : [path];
        let imported = 0;
        let skipped = 0;
        for (const [i, file] of files.entries()) {
          const record = fromOsv(JSON.parse(await readFile(file, 'utf8')) as unknown, osvEcosystems(formats));
          if (record) imported += await core.advisories.importOsv([record], null);
          else skipped += 1;
          if (files.length > 1 && process.stderr.isTTY) process.stderr.write(`\r${progressBar(i + 1, files.length)} ${i + 1}/${files.length}`);
        }
        if (files.length > 1 && process.stderr.isTTY) process.stderr.write('\n');
        say(`imported ${imported} advisories from ${files.length} files (${files.length - imported - skipped} already current, ${skipped} about no ecosystem Kura serves)`);
        return 0;
      });
    default:
      throw new UsageError(`unknown command "${positionals.join(' ')}"`);
  }
}

/** Runs the `kura` command; returns the exit code. Errors are one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`kura: ${error.message}\n${usage}\n`);
      return 2;
    }
    const message = error instanceof KuraError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`kura: ${message.split('\n')[0]}\n`);
    return 1;
  }
}
