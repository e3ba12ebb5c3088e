import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createToken } from './support/accounts.js';
import { startKuraServer, type KuraServer } from './support/kura-server.js';
import { describeResult, expectFailure, expectSuccess, run, type RunResult } from './support/process.js';
import { Workspace } from './support/workspace.js';

interface GemProject { name: string; version: string; repo: string; greeting: string; dependency?: [string, string] }

describe('gem and Bundler against kura serve', { timeout: 900_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  const tokens = { alice: '', aliceRead: '', bob: '' };
  const host = () => `${server.url}/rubygems/alice`;
  const source = () => `${host()}/`;

  /** Runs a Ruby tool with a fresh HOME (no ~/.gem credentials or caches). */
  async function ruby(command: string, args: readonly string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const { env, home } = await workspace.isolatedEnv();
    return run(command, args, { cwd, env: { ...env, GEM_HOME: join(home, 'gems'), GEM_PATH: join(home, 'gems'), GEM_SPEC_CACHE: join(home, 'specs'), ...extra }, timeoutMs: 120_000 });
  }

  /** Writes a gem project and builds it with `gem build`; resolves to the .gem path. */
  async function buildGem(project: GemProject): Promise<string> {
    const dir = await workspace.dir(`gem-${project.name}`);
    await mkdir(join(dir, 'lib'));
    const module = project.name[0]!.toUpperCase() + project.name.slice(1);
    const requireDependency = project.dependency ? `require "${project.dependency[0]}"\n` : '';
    await writeFile(join(dir, 'lib', `${project.name}.rb`), `${requireDependency}module ${module}\n  def self.hi\n    "${project.greeting}"\n  end\nend\n`);
    await writeFile(join(dir, `${project.name}.gemspec`), [
      'Gem::Specification.new do |s|',
      `  s.name = "${project.name}"`,
      `  s.version = "${project.version}"`,
      `  s.summary = "The ${project.name} gem"`,
      '  s.authors = ["Alice"]',
      `  s.files = ["lib/${project.name}.rb"]`,
      '  s.license = "MIT"',
      `  s.metadata = { "source_code_uri" => "${server.url}/${project.repo}" }`,
      project.dependency ? `  s.add_dependency "${project.dependency[0]}", "${project.dependency[1]}"` : '',
      'end',
      '',
    ].join('\n'));
    expectSuccess(await ruby('gem', ['build', `${project.name}.gemspec`], dir));
    return join(dir, `${project.name}-${project.version}.gem`);
  }

  const push = async (gem: string, token: string) => ruby('gem', ['push', gem, '--host', host()], workspace.root, { GEM_HOST_API_KEY: token });
  const install = async (name: string, from: string) => ruby('gem', ['install', name, '--clear-sources', '--source', from, '--no-document'], workspace.root);

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    for (const login of ['alice', 'bob']) await server.kura(['user', 'create', login]);
    await server.kura(['repo', 'create', 'alice/tools']);
    await server.kura(['repo', 'create', 'alice/secret', '--private']);
    tokens.alice = await createToken(server, 'alice', ['read:packages', 'write:packages', 'delete:packages'], 'gem');
    tokens.aliceRead = await createToken(server, 'alice', ['read:packages'], 'gem-read');
    tokens.bob = await createToken(server, 'bob', ['read:packages', 'write:packages'], 'gem');
  });

  after(async () => {
    await server?.stop();
    await workspace?.remove();
  });

  it('gem push registers two gems, one depending on the other, and refuses a second push of a version', async () => {
    const gadget = await buildGem({ name: 'gadget', version: '1.0.0', repo: 'alice/tools', greeting: 'gadget 1.0' });
    const widget = await buildGem({ name: 'widget', version: '1.0.0', repo: 'alice/tools', greeting: 'widget 1.0', dependency: ['gadget', '~> 1.0'] });
    for (const [gem, name] of [[gadget, 'gadget'], [widget, 'widget']] as const) {
      const result = expectSuccess(await push(gem, tokens.alice));
      assert.match(result.stdout, new RegExp(`Successfully registered gem: ${name} \\(1\\.0\\.0\\)`));
    }
    const again = await push(widget, tokens.alice);
    assert.match(`${again.stdout}${again.stderr}`, /Repushing of gem versions is not allowed/, describeResult(again));
  });

  it('gem install installs a public gem and its dependency anonymously, and it runs', async () => {
    const dir = await workspace.dir('install');
    const { env, home } = await workspace.isolatedEnv();
    const gems = join(home, 'gems');
    const gemEnv = { ...env, GEM_HOME: gems, GEM_PATH: gems };
    expectSuccess(await run('gem', ['install', 'widget', '--clear-sources', '--source', source(), '--no-document'], { cwd: dir, env: gemEnv, timeoutMs: 120_000 }));
    const ran = expectSuccess(await run('ruby', ['-e', 'require "widget"; require "gadget"; puts Widget.hi + " / " + Gadget.hi'], { cwd: dir, env: gemEnv }));
    assert.equal(ran.stdout.trim(), 'widget 1.0 / gadget 1.0');
  });

  it('bundle install resolves through the compact index and bundle exec runs the gems', async () => {
    const dir = await workspace.dir('bundle');
    await writeFile(join(dir, 'Gemfile'), `source "${source()}" do\n  gem "widget", "~> 1.0"\nend\n`);
    const bundle = { BUNDLE_PATH: join(dir, 'vendor'), BUNDLE_APP_CONFIG: join(dir, '.bundle') };
    const installed = expectSuccess(await ruby('bundle', ['install'], dir, bundle));
    assert.match(installed.stdout, /Fetching gem metadata from/, 'Bundler reads the compact index');
    assert.match(installed.stdout, /Installing gadget 1\.0\.0/);
    assert.match(installed.stdout, /Installing widget 1\.0\.0/);
    const ran = expectSuccess(await ruby('bundle', ['exec', 'ruby', '-e', 'require "widget"; puts Widget.hi'], dir, bundle));
    assert.equal(ran.stdout.trim(), 'widget 1.0');
  });

  it('a private gem installs with credentials and is refused without them; Bundler uses its configured credentials', async () => {
    const secret = await buildGem({ name: 'secretgem', version: '0.1.0', repo: 'alice/secret', greeting: 'secret' });
    expectSuccess(await push(secret, tokens.alice));
    const anonymous = await install('secretgem', source());
    expectFailure(anonymous);
    const withToken = source().replace('http://', `http://alice:${tokens.alice}@`);
    expectSuccess(await install('secretgem', withToken));
    const asBob = await install('secretgem', source().replace('http://', `http://bob:${tokens.bob}@`));
    expectFailure(asBob);

    const dir = await workspace.dir('bundle-private');
    await writeFile(join(dir, 'Gemfile'), `source "${source()}"\n\ngem "secretgem"\n`);
    const bundle = { BUNDLE_PATH: join(dir, 'vendor'), BUNDLE_APP_CONFIG: join(dir, '.bundle') };
    expectFailure(await ruby('bundle', ['install'], dir, bundle));
    expectSuccess(await ruby('bundle', ['config', 'set', '--local', source(), `alice:${tokens.alice}`], dir, bundle));
    const installed = expectSuccess(await ruby('bundle', ['install'], dir, bundle));
    assert.match(installed.stdout, /Installing secretgem 0\.1\.0/);
  });

  it('refuses a read-only token’s push, and gem yank removes a version from the indexes', async () => {
    const next = await buildGem({ name: 'gadget', version: '1.1.0', repo: 'alice/tools', greeting: 'gadget 1.1' });
    const refused = await push(next, tokens.aliceRead);
    assert.match(`${refused.stdout}${refused.stderr}`, /write:packages/, describeResult(refused));
    expectSuccess(await push(next, tokens.alice));
    const yanked = expectSuccess(await ruby('gem', ['yank', 'gadget', '-v', '1.1.0', '--host', host()], workspace.root, { GEM_HOST_API_KEY: tokens.alice }));
    assert.match(yanked.stdout, /Successfully deleted gem: gadget \(1\.1\.0\)/);
    const gone = await ruby('gem', ['install', 'gadget', '-v', '1.1.0', '--clear-sources', '--source', source(), '--no-document'], workspace.root);
    expectFailure(gone);
    const again = await push(next, tokens.alice);
    assert.match(`${again.stdout}${again.stderr}`, /Repushing of gem versions is not allowed/, describeResult(again));
  });
});
