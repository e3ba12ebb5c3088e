import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Environment variables of the machine or of a parent `npm run` that must not reach a client. */
const inheritedClientConfig = /^(npm_|yarn_|pnpm_|berry_|corepack_|kura_|node_test_)|^INIT_CWD$/i;

/**
 * A temporary directory tree for one test file: project directories and one brand-new HOME per
 * client command, so no client sees the machine's configuration or a cache filled by an
 * earlier command (a cached tarball or packument would hide a request from the server).
 */
export class Workspace {
  private counter = 0;

  private constructor(readonly root: string) {}

  /** Creates a workspace under the system temp directory. */
  static async create(): Promise<Workspace> {
    return new Workspace(await mkdtemp(join(tmpdir(), 'kura-e2e-')));
  }

  /** A new empty directory whose name starts with `label`. */
  async dir(label: string): Promise<string> {
    const path = join(this.root, `${label}-${++this.counter}`);
    await mkdir(path, { recursive: true });
    return path;
  }

  /**
   * An environment for one client command: a new empty HOME with XDG config, cache, data and
   * state directories inside it, empty user and global npmrc files (so `~/.npmrc` and the
   * machine's npmrc are never read), no inherited `npm_*`/`YARN_*`/`PNPM_*` variables, no
   * proxy for the local server, no update notifier and no colours. `home` is returned for
   * clients that take cache paths.
   */
  async isolatedEnv(): Promise<{ env: NodeJS.ProcessEnv; home: string }> {
    const home = await this.dir('home');
    const xdg = {
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_STATE_HOME: join(home, '.local', 'state'),
    };
    for (const path of Object.values(xdg)) await mkdir(path, { recursive: true });
    await writeFile(join(home, '.npmrc'), '');
    await writeFile(join(home, 'global-npmrc'), '');
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!inheritedClientConfig.test(key)) env[key] = value;
    const noProxy = [process.env['NO_PROXY'] ?? process.env['no_proxy'], '127.0.0.1', 'localhost'].filter(Boolean).join(',');
    return {
      home,
      env: {
        ...env,
        ...xdg,
        HOME: home,
        USERPROFILE: home,
        npm_config_userconfig: join(home, '.npmrc'),
        npm_config_globalconfig: join(home, 'global-npmrc'),
        npm_config_update_notifier: 'false',
        npm_config_fund: 'false',
        NO_PROXY: noProxy,
        no_proxy: noProxy,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
    };
  }

  /** Deletes the whole tree. */
  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
