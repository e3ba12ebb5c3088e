import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './kura-server.js';
import { run, type RunResult } from './process.js';
import type { Workspace } from './workspace.js';

/** Where a project finds the registry for one npm scope, and with which token (none = anonymous). */
export interface RegistryAccess {
  /** The npm registry URL with its trailing slash, e.g. `http://127.0.0.1:PORT/npm/`. */
  registry: string;
  /** The scope without `@`, i.e. the owner login. */
  scope: string;
  token?: string;
}

export type ClientId = 'npm' | 'yarn1' | 'yarn4' | 'pnpm';

/** One real npm-protocol client. Every command runs in a fresh HOME from `workspace`. */
export interface NpmClient {
  id: ClientId;
  label: string;
  /** Writes the client's project configuration (`.npmrc` or `.yarnrc.yml`) for `access` into `dir`. */
  configure(dir: string, access: RegistryAccess): Promise<void>;
  /** Publishes the package in `dir` (configured first) and resolves to the publishing command's result. */
  publish(workspace: Workspace, dir: string): Promise<RunResult>;
  /** Adds `specs` as dependencies of the consumer project in `dir` and installs them. */
  add(workspace: Workspace, dir: string, specs: readonly string[]): Promise<RunResult>;
}

const yarn1Bin = join(repoRoot, 'node_modules', 'yarn', 'bin', 'yarn.js');
const yarn4Bin = join(repoRoot, 'node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js');
const pnpmBin = join(repoRoot, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');

/** The registry URL's `//host:port/path/` form, the key npmrc credentials hang off. */
function nerfDart(registry: string): string {
  const url = new URL(registry);
  return `//${url.host}${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}`;
}

/** A project `.npmrc` (npm, yarn 1, pnpm): the scope's registry, the token if any, no audit. */
export function npmrc(access: RegistryAccess): string {
  const lines = [`@${access.scope}:registry=${access.registry}`, 'audit=false', 'fund=false'];
  if (access.token) lines.push(`${nerfDart(access.registry)}:_authToken=${access.token}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A project `.yarnrc.yml` for yarn 4: plain http allowed for the host, a project-local cache,
 * a node_modules linker, and the scope's registry with the age gate off inside the scope (the
 * top-level setting is not honoured for scoped packages). Immutable installs are off so a
 * `CI` variable does not turn `yarn install` into a lockfile check.
 */
export function yarnrc(access: RegistryAccess): string {
  const host = new URL(access.registry).hostname;
  const scope = [
    `    npmRegistryServer: ${JSON.stringify(access.registry)}`,
    `    npmPublishRegistry: ${JSON.stringify(access.registry)}`,
    '    npmMinimalAgeGate: 0',
  ];
  if (access.token) scope.push(`    npmAuthToken: ${JSON.stringify(access.token)}`, '    npmAlwaysAuth: true');
  return [
    `unsafeHttpWhitelist: [${JSON.stringify(host)}]`,
    'enableGlobalCache: false',
    'enableTelemetry: false',
    'enableImmutableInstalls: false',
    'enableProgressBars: false',
    'nodeLinker: node-modules',
    'npmScopes:',
    `  ${access.scope}:`,
    ...scope,
    '',
  ].join('\n');
}

/** Runs `npm ARGS` in `cwd` with a fresh HOME and a fresh `--cache` directory. */
export async function npm(workspace: Workspace, cwd: string, args: readonly string[]): Promise<RunResult> {
  const { env, home } = await workspace.isolatedEnv();
  return run('npm', [...args, '--cache', join(home, 'npm-cache')], { cwd, env });
}

/** Runs yarn 1 non-interactively with a fresh HOME and cache folder. */
async function yarn1(workspace: Workspace, cwd: string, args: readonly string[]): Promise<RunResult> {
  const { env, home } = await workspace.isolatedEnv();
  return run(process.execPath, [yarn1Bin, ...args, '--non-interactive', '--cache-folder', join(home, 'yarn-cache')], { cwd, env });
}

/** Runs yarn 4 with a fresh HOME (its cache is project-local, see `yarnrc`). */
async function yarn4(workspace: Workspace, cwd: string, args: readonly string[]): Promise<RunResult> {
  const { env } = await workspace.isolatedEnv();
  return run(process.execPath, [yarn4Bin, ...args], { cwd, env });
}

/** Runs pnpm with a fresh HOME, so its metadata cache (under XDG_CACHE_HOME) starts empty; `store` adds a fresh `--store-dir`. */
async function pnpm(workspace: Workspace, cwd: string, args: readonly string[], options: { store?: boolean } = {}): Promise<RunResult> {
  const { env, home } = await workspace.isolatedEnv();
  const store = options.store ? ['--store-dir', join(home, 'pnpm-store')] : [];
  return run(process.execPath, [pnpmBin, ...args, ...store], { cwd, env });
}

const writeNpmrc = (dir: string, access: RegistryAccess) => writeFile(join(dir, '.npmrc'), npmrc(access));

/** The four clients under test. */
export const npmClients: readonly NpmClient[] = [
  {
    id: 'npm',
    label: 'npm 11',
    configure: writeNpmrc,
    publish: (workspace, dir) => npm(workspace, dir, ['publish']),
    add: (workspace, dir, specs) => npm(workspace, dir, ['install', ...specs]),
  },
  {
    id: 'yarn1',
    label: 'yarn 1',
    configure: writeNpmrc,
    publish: (workspace, dir) => yarn1(workspace, dir, ['publish']),
    add: (workspace, dir, specs) => yarn1(workspace, dir, ['add', ...specs]),
  },
  {
    id: 'yarn4',
    label: 'yarn 4',
    configure: (dir, access) => writeFile(join(dir, '.yarnrc.yml'), yarnrc(access)),
    async publish(workspace, dir) {
      // `yarn npm publish` refuses a package that is not in a lockfile yet.
      const install = await yarn4(workspace, dir, ['install']);
      if (install.code !== 0 || install.timedOut) return install;
      return yarn4(workspace, dir, ['npm', 'publish']);
    },
    add: (workspace, dir, specs) => yarn4(workspace, dir, ['add', ...specs]),
  },
  {
    id: 'pnpm',
    label: 'pnpm',
    configure: writeNpmrc,
    publish: (workspace, dir) => pnpm(workspace, dir, ['publish', '--no-git-checks']),
    add: (workspace, dir, specs) => pnpm(workspace, dir, ['add', ...specs], { store: true }),
  },
];
