import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { request as githubRequest } from '@octokit/request';
import { createToken } from './support/accounts.js';
import { npm, npmClients, type RegistryAccess } from './support/clients.js';
import { startKuraServer, type KuraServer } from './support/kura-server.js';
import { expectFailure, expectSuccess } from './support/process.js';
import { greetingFor, writeConsumer, writeLibrary } from './support/projects.js';
import { Workspace } from './support/workspace.js';

const npmClient = npmClients.find((c) => c.id === 'npm')!;

interface GitHubPackage { id: number; name: string; package_type: string; owner: { login: string; type: string }; version_count: number; visibility: string; url: string; html_url: string; created_at: string; updated_at: string }
interface GitHubVersion { id: number; name: string; url: string; package_html_url: string; html_url: string; created_at: string; updated_at: string; deleted_at: string | null; metadata: { package_type: string } }

/**
 * A script written against GitHub's packages API, run unchanged against Kura: Octokit's `request`
 * with `baseUrl` set to Kura's API lists, deletes and restores packages and versions in the user,
 * organization and caller (`/user`) forms, pages with Octokit's paginate plugin, and the real npm
 * client sees each change.
 */
describe('a GitHub packages script with Octokit against kura serve', { timeout: 600_000 }, () => {
  let server: KuraServer;
  let workspace: Workspace;
  let token: string;
  /** GitHub's `request`, pointed at Kura, as a script would set it up. */
  let request: typeof githubRequest;
  /** Project directories whose `.npmrc` reads @alice and @acme packages with alice's token. */
  const projects: Record<'alice' | 'acme', string> = { alice: '', acme: '' };

  const access = (scope: 'alice' | 'acme'): RegistryAccess => ({ registry: server.npmRegistry, scope, token });

  async function publish(scope: 'alice' | 'acme', name: string, version: string) {
    const dir = await workspace.dir('publish');
    await writeLibrary(dir, { name, version, description: 'a package managed by a GitHub script', greeting: greetingFor(name, version) });
    await npmClient.configure(dir, access(scope));
    expectSuccess(await npmClient.publish(workspace, dir));
  }

  /** The versions the npm client sees (npm prints nothing for none), or null when npm cannot find the package. */
  async function npmVersions(scope: 'alice' | 'acme', name: string): Promise<string[] | null> {
    const result = await npm(workspace, projects[scope], ['view', name, 'versions', '--json']);
    if (result.code !== 0) {
      assert.match(expectFailure(result), /E404/);
      return null;
    }
    if (result.stdout.trim() === '') return [];
    const parsed = JSON.parse(result.stdout) as string[] | string;
    return [parsed].flat();
  }

  before(async () => {
    server = await startKuraServer();
    workspace = await Workspace.create();
    await server.kura(['user', 'create', 'alice']);
    await server.kura(['org', 'create', 'acme', '--owner', 'alice']);
    token = await createToken(server, 'alice', ['read:packages', 'write:packages', 'delete:packages']);
    for (const scope of ['alice', 'acme'] as const) {
      projects[scope] = await workspace.dir(`${scope}-project`);
      await writeConsumer(projects[scope]);
      await npmClient.configure(projects[scope], access(scope));
    }
    await publish('alice', '@alice/widget', '1.0.0');
    await publish('alice', '@alice/widget', '1.1.0');
    await publish('alice', '@alice/gadget', '2.0.0');
    await publish('acme', '@acme/kit', '0.1.0');
    await publish('acme', '@acme/kit', '0.2.0');
    request = githubRequest.defaults({ baseUrl: `${server.url}/api/v1`, headers: { authorization: `token ${token}` } });
  });

  after(async () => {
    await server?.stop();
    await workspace?.remove();
  });

  it('lists a user’s packages and versions with GitHub’s field names', async () => {
    const { data: packages, status } = await request('GET /users/{username}/packages', { username: 'alice', package_type: 'npm' });
    assert.equal(status, 200);
    const list = packages as unknown as GitHubPackage[];
    assert.deepEqual(list.map((p) => p.name), ['@alice/gadget', '@alice/widget']);
    const widget = list.find((p) => p.name === '@alice/widget')!;
    assert.equal(widget.package_type, 'npm');
    assert.equal(widget.owner.login, 'alice');
    assert.equal(widget.owner.type, 'User');
    assert.equal(widget.version_count, 2);
    assert.equal(widget.visibility, 'private');
    assert.equal(widget.url, `${server.url}/api/v1/users/alice/packages/npm/%40alice%2Fwidget`);
    assert.equal(widget.html_url, `${server.url}/alice/-/packages/npm/%40alice%2Fwidget`);
    assert.ok(Date.parse(widget.created_at) && Date.parse(widget.updated_at));

    const { data: one } = await request('GET /users/{username}/packages/{package_type}/{package_name}', { username: 'alice', package_type: 'npm', package_name: '@alice/widget' });
    assert.equal((one as unknown as GitHubPackage).id, widget.id);
    assert.equal((one as unknown as GitHubPackage).name, '@alice/widget');

    const { data: versions } = await request('GET /users/{username}/packages/{package_type}/{package_name}/versions', { username: 'alice', package_type: 'npm', package_name: '@alice/widget' });
    const listed = versions as unknown as GitHubVersion[];
    assert.deepEqual(listed.map((v) => v.name), ['1.1.0', '1.0.0'], 'newest first');
    for (const version of listed) {
      assert.equal(version.metadata.package_type, 'npm');
      assert.equal(version.url, `${widget.url}/versions/${version.id}`);
      assert.equal(version.package_html_url, widget.html_url);
      assert.equal(version.deleted_at, null);
    }
    const { data: single } = await request('GET /users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}', {
      username: 'alice', package_type: 'npm', package_name: '@alice/widget', package_version_id: listed[1]!.id,
    });
    assert.equal((single as unknown as GitHubVersion).name, '1.0.0');
  });

  it('deletes and restores a version and a package (user form), and npm sees each change', async () => {
    const where = { username: 'alice', package_type: 'npm', package_name: '@alice/widget' } as const;
    const { data } = await request('GET /users/{username}/packages/{package_type}/{package_name}/versions', where);
    const old = (data as unknown as GitHubVersion[]).find((v) => v.name === '1.0.0')!;

    assert.equal((await request('DELETE /users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}', { ...where, package_version_id: old.id })).status, 204);
    assert.deepEqual(await npmVersions('alice', '@alice/widget'), ['1.1.0']);
    const { data: deleted } = await request('GET /users/{username}/packages/{package_type}/{package_name}/versions', { ...where, state: 'deleted' });
    assert.deepEqual((deleted as unknown as GitHubVersion[]).map((v) => v.name), ['1.0.0']);
    assert.ok((deleted as unknown as GitHubVersion[])[0]!.deleted_at);

    assert.equal((await request('POST /users/{username}/packages/{package_type}/{package_name}/versions/{package_version_id}/restore', { ...where, package_version_id: old.id })).status, 204);
    assert.deepEqual(await npmVersions('alice', '@alice/widget'), ['1.0.0', '1.1.0']);

    assert.equal((await request('DELETE /users/{username}/packages/{package_type}/{package_name}', where)).status, 204);
    assert.equal(await npmVersions('alice', '@alice/widget'), null, 'npm no longer finds it');
    const { data: remaining } = await request('GET /users/{username}/packages', { username: 'alice', package_type: 'npm' });
    assert.deepEqual((remaining as unknown as GitHubPackage[]).map((p) => p.name), ['@alice/gadget']);
    await assert.rejects(request('GET /users/{username}/packages/{package_type}/{package_name}', where), (error: { status: number; response: { data: { error: { code: string } } } }) => {
      assert.equal(error.status, 404);
      assert.equal(error.response.data.error.code, 'NOT_FOUND');
      return true;
    });

    assert.equal((await request('POST /users/{username}/packages/{package_type}/{package_name}/restore', where)).status, 204);
    assert.deepEqual(await npmVersions('alice', '@alice/widget'), ['1.0.0', '1.1.0']);
  });

  it('does the same through /user/packages, the caller’s own', async () => {
    const { data: mine } = await request('GET /user/packages', { package_type: 'npm' });
    assert.deepEqual((mine as unknown as GitHubPackage[]).map((p) => p.name), ['@alice/gadget', '@alice/widget']);
    const where = { package_type: 'npm', package_name: '@alice/gadget' } as const;
    const { data: gadget } = await request('GET /user/packages/{package_type}/{package_name}', where);
    assert.equal((gadget as unknown as GitHubPackage).version_count, 1);
    const { data: versions } = await request('GET /user/packages/{package_type}/{package_name}/versions', where);
    const only = (versions as unknown as GitHubVersion[])[0]!;
    assert.equal(only.name, '2.0.0');

    assert.equal((await request('DELETE /user/packages/{package_type}/{package_name}/versions/{package_version_id}', { ...where, package_version_id: only.id })).status, 204);
    assert.deepEqual(await npmVersions('alice', '@alice/gadget'), [], 'npm sees no version left');
    assert.equal((await request('POST /user/packages/{package_type}/{package_name}/versions/{package_version_id}/restore', { ...where, package_version_id: only.id })).status, 204);
    assert.deepEqual(await npmVersions('alice', '@alice/gadget'), ['2.0.0']);

    assert.equal((await request('DELETE /user/packages/{package_type}/{package_name}', where)).status, 204);
    assert.equal(await npmVersions('alice', '@alice/gadget'), null);
    assert.equal((await request('POST /user/packages/{package_type}/{package_name}/restore', where)).status, 204);
    assert.deepEqual(await npmVersions('alice', '@alice/gadget'), ['2.0.0']);
  });

  it('does the same through /orgs/{org}/packages', async () => {
    const { data: packages } = await request('GET /orgs/{org}/packages', { org: 'acme', package_type: 'npm' });
    const kit = (packages as unknown as GitHubPackage[])[0]!;
    assert.equal(kit.name, '@acme/kit');
    assert.equal(kit.owner.type, 'Organization');
    assert.equal(kit.url, `${server.url}/api/v1/orgs/acme/packages/npm/%40acme%2Fkit`);
    const where = { org: 'acme', package_type: 'npm', package_name: '@acme/kit' } as const;
    assert.equal(((await request('GET /orgs/{org}/packages/{package_type}/{package_name}', where)).data as unknown as GitHubPackage).id, kit.id);
    const { data: versions } = await request('GET /orgs/{org}/packages/{package_type}/{package_name}/versions', where);
    const first = (versions as unknown as GitHubVersion[]).find((v) => v.name === '0.1.0')!;
    assert.equal(((await request('GET /orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}', { ...where, package_version_id: first.id })).data as unknown as GitHubVersion).name, '0.1.0');

    assert.equal((await request('DELETE /orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}', { ...where, package_version_id: first.id })).status, 204);
    assert.deepEqual(await npmVersions('acme', '@acme/kit'), ['0.2.0']);
    assert.equal((await request('POST /orgs/{org}/packages/{package_type}/{package_name}/versions/{package_version_id}/restore', { ...where, package_version_id: first.id })).status, 204);
    assert.deepEqual(await npmVersions('acme', '@acme/kit'), ['0.1.0', '0.2.0']);

    assert.equal((await request('DELETE /orgs/{org}/packages/{package_type}/{package_name}', where)).status, 204);
    assert.equal(await npmVersions('acme', '@acme/kit'), null);
    assert.equal((await request('POST /orgs/{org}/packages/{package_type}/{package_name}/restore', where)).status, 204);
    assert.deepEqual(await npmVersions('acme', '@acme/kit'), ['0.1.0', '0.2.0']);
  });

  it('pages with Octokit’s paginate plugin through GitHub’s Link header', async () => {
    const octokit = new (Octokit.plugin(paginateRest))({ baseUrl: `${server.url}/api/v1`, auth: token });
    const versions = await octokit.paginate('GET /users/{username}/packages/{package_type}/{package_name}/versions', {
      username: 'alice', package_type: 'npm', package_name: '@alice/widget', per_page: 1,
    });
    assert.deepEqual((versions as GitHubVersion[]).map((v) => v.name), ['1.1.0', '1.0.0']);
    const packages = await octokit.paginate('GET /user/packages', { package_type: 'npm', per_page: 1 });
    assert.deepEqual((packages as GitHubPackage[]).map((p) => p.name), ['@alice/gadget', '@alice/widget']);
    const first = await octokit.request('GET /user/packages', { package_type: 'npm', per_page: 1 });
    assert.match(String(first.headers.link), /rel="next"/);
  });

  it('reads the OpenAPI document the API is described by', async () => {
    const { data } = await request('GET /openapi.json');
    const doc = data as unknown as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.paths['/users/{owner}/packages/{type}/{name}/versions/{id}']?.['delete']?.operationId, 'packages/delete-package-version-for-user');
    const docs = await fetch(`${server.url}/api/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /packages\/restore-package-version-for-org/);
  });
});
