import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKuraProcess, type KuraProcess } from '../support/kura-process.js';
import { goTool, hasCommand, runTool, runToolOk, writeOciLayout } from '../support/oci-tools.js';

const skopeoTimeoutMs = 60_000;

/**
 * Real container clients against a real `kura serve`: skopeo (copy both ways, multi-arch,
 * inspect, list-tags, delete, anonymous pulls), podman and buildah (pull, push, build and push),
 * and oras (artifacts, attach, discover). containers/image is behind skopeo, podman and buildah.
 */
describe('container clients against kura serve', () => {
  let kura: KuraProcess;
  let work: string;
  let token: string;
  let host: string;
  let layout: string;
  let digests: Record<string, string>;
  const creds = () => `alice:${token}`;

  before(async () => {
    for (const command of ['skopeo', 'podman', 'buildah']) assert.ok(await hasCommand(command), `${command} is installed (scripts/install-clients/oci.sh)`);
    kura = await startKuraProcess();
    host = `127.0.0.1:${kura.port}`;
    await kura.cliOk(['user', 'create', 'alice']);
    await kura.cliOk(['repo', 'create', 'alice/site']);
    token = await kura.cliOk(['token', 'create', '--user', 'alice', '--scopes', 'read:packages,write:packages,delete:packages']);
    work = await mkdtemp(join(tmpdir(), 'kura-oci-clients-'));
    layout = join(work, 'layout');
    digests = await writeOciLayout(layout, {
      v1: { content: 'hello from kura\n' },
      multi: [{ content: 'amd64\n', platform: { os: 'linux', architecture: 'amd64' } }, { content: 'arm64\n', platform: { os: 'linux', architecture: 'arm64' } }],
      large: { content: randomBytes(3 * 1024 * 1024 + 17) },
      public: { content: 'public\n', annotations: { 'org.opencontainers.image.source': 'https://example.test/alice/site' } },
    });
  });
  after(async () => {
    await kura?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const skopeo = (args: string[]) => runToolOk('skopeo', args, { timeoutMs: skopeoTimeoutMs });

  it('skopeo copies an image in, inspects it, lists tags and copies it back out', async () => {
    await skopeo(['copy', `oci:${layout}:v1`, `docker://${host}/alice/hello:v1`, '--dest-tls-verify=false', '--dest-creds', creds()]);
    const inspected = JSON.parse(await skopeo(['inspect', '--tls-verify=false', '--creds', creds(), `docker://${host}/alice/hello:v1`])) as { Digest: string; Os: string; Architecture: string };
    assert.equal(inspected.Digest, digests['v1']);
    assert.equal(inspected.Architecture, 'amd64');
    await skopeo(['copy', `oci:${layout}:v1`, `docker://${host}/alice/hello:v2`, '--dest-tls-verify=false', '--dest-creds', creds()]);
    const tags = JSON.parse(await skopeo(['list-tags', '--tls-verify=false', '--creds', creds(), `docker://${host}/alice/hello`])) as { Tags: string[] };
    assert.deepEqual(tags.Tags, ['v1', 'v2']);
    const out = join(work, 'pulled');
    await skopeo(['copy', '--src-tls-verify=false', '--src-creds', creds(), `docker://${host}/alice/hello:v1`, `oci:${out}:v1`]);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(index.manifests[0]!.digest, digests['v1']);
  });

  it('skopeo moves a layer of several MiB both ways byte for byte', async () => {
    await skopeo(['copy', `oci:${layout}:large`, `docker://${host}/alice/large:v1`, '--dest-tls-verify=false', '--dest-creds', creds()]);
    const out = join(work, 'pulled-large');
    await skopeo(['copy', '--src-tls-verify=false', '--src-creds', creds(), `docker://${host}/alice/large:v1`, `oci:${out}:v1`]);
    const manifest = JSON.parse(await readFile(join(out, 'blobs', 'sha256', digests['large']!.slice('sha256:'.length)), 'utf8')) as { layers: Array<{ digest: string; size: number }> };
    const layer = manifest.layers[0]!;
    assert.ok(layer.size > 3 * 1024 * 1024, `layer of ${layer.size} bytes`);
    const pulled = await readFile(join(out, 'blobs', 'sha256', layer.digest.slice('sha256:'.length)));
    const pushed = await readFile(join(layout, 'blobs', 'sha256', layer.digest.slice('sha256:'.length)));
    assert.ok(pulled.equals(pushed));
  });

  it('skopeo copies a multi-arch index both ways with --all', async () => {
    await skopeo(['copy', '--all', `oci:${layout}:multi`, `docker://${host}/alice/multi:v1`, '--dest-tls-verify=false', '--dest-creds', creds()]);
    const raw = JSON.parse(await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds(), `docker://${host}/alice/multi:v1`])) as { mediaType: string; manifests: Array<{ platform: { architecture: string } }> };
    assert.equal(raw.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(raw.manifests.map((m) => m.platform.architecture), ['amd64', 'arm64']);
    const arm = JSON.parse(await skopeo(['inspect', '--override-arch', 'arm64', '--tls-verify=false', '--creds', creds(), `docker://${host}/alice/multi:v1`])) as { Architecture: string };
    assert.equal(arm.Architecture, 'arm64');
    const out = join(work, 'multi-out');
    await skopeo(['copy', '--all', '--src-tls-verify=false', '--src-creds', creds(), `docker://${host}/alice/multi:v1`, `oci:${out}:v1`]);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(index.manifests[0]!.digest, digests['multi']);
  });

  it('skopeo deletes a manifest', async () => {
    await skopeo(['copy', `oci:${layout}:v1`, `docker://${host}/alice/doomed:v1`, '--dest-tls-verify=false', '--dest-creds', creds()]);
    await skopeo(['delete', '--tls-verify=false', '--creds', creds(), `docker://${host}/alice/doomed@${digests['v1']}`]);
    const gone = await runTool('skopeo', ['inspect', '--tls-verify=false', '--creds', creds(), `docker://${host}/alice/doomed:v1`], { timeoutMs: skopeoTimeoutMs });
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /manifest unknown|not found/i);
  });

  it('lets anyone pull a public image and keeps private ones invisible', async () => {
    await skopeo(['copy', `oci:${layout}:public`, `docker://${host}/alice/site-image:v1`, '--dest-tls-verify=false', '--dest-creds', creds()]);
    const anonymous = JSON.parse(await skopeo(['inspect', '--tls-verify=false', '--no-creds', `docker://${host}/alice/site-image:v1`])) as { Digest: string };
    assert.equal(anonymous.Digest, digests['public'], 'linked to a public repository, the image is public');
    await skopeo(['copy', '--src-tls-verify=false', '--src-no-creds', `docker://${host}/alice/site-image:v1`, `oci:${join(work, 'anon')}:v1`]);
    const hidden = await runTool('skopeo', ['inspect', '--tls-verify=false', '--no-creds', `docker://${host}/alice/hello:v1`], { timeoutMs: skopeoTimeoutMs });
    assert.notEqual(hidden.code, 0);
    assert.match(hidden.stderr, /unauthorized|authentication required/i);
    await kura.cliOk(['user', 'create', 'bob']);
    const bob = await kura.cliOk(['token', 'create', '--user', 'bob', '--scopes', 'read:packages,write:packages']);
    const stranger = await runTool('skopeo', ['inspect', '--tls-verify=false', '--creds', `bob:${bob}`, `docker://${host}/alice/hello:v1`], { timeoutMs: skopeoTimeoutMs });
    assert.notEqual(stranger.code, 0);
    assert.match(stranger.stderr, /not found|unknown/i, 'a signed-in stranger sees no private image');
  });

  it('podman pulls and pushes, buildah builds and pushes', async () => {
    await skopeo(['copy', `oci:${layout}:v1`, `docker://${host}/alice/podman:v1`, '--dest-tls-verify=false', '--dest-creds', creds()]);
    const storage = ['--root', join(work, 'storage'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs'];
    const env = { XDG_RUNTIME_DIR: join(work, 'xdg'), XDG_CONFIG_HOME: join(work, 'config') };
    await mkdir(env.XDG_RUNTIME_DIR, { recursive: true });
    const podman = (args: string[]) => runToolOk('podman', [...storage, ...args], { env, timeoutMs: 120_000 });
    await podman(['pull', '--tls-verify=false', '--creds', creds(), `${host}/alice/podman:v1`]);
    await podman(['tag', `${host}/alice/podman:v1`, `${host}/alice/podman:v2`]);
    await podman(['push', '--tls-verify=false', '--creds', creds(), `${host}/alice/podman:v2`]);
    const context = join(work, 'context');
    await mkdir(context, { recursive: true });
    await writeFile(join(context, 'built.txt'), 'built by buildah\n');
    await writeFile(join(context, 'Containerfile'), 'FROM scratch\nCOPY built.txt /built.txt\nLABEL org.opencontainers.image.description="built by buildah"\n');
    const buildah = (args: string[]) => runToolOk('buildah', [...storage, ...args], { env, timeoutMs: 180_000 });
    await buildah(['bud', '--isolation', 'chroot', '-t', `${host}/alice/built:v1`, context]);
    await buildah(['push', '--tls-verify=false', '--creds', creds(), `${host}/alice/built:v1`]);
    const tags = JSON.parse(await skopeo(['list-tags', '--tls-verify=false', '--creds', creds(), `docker://${host}/alice/podman`])) as { Tags: string[] };
    assert.deepEqual(tags.Tags, ['v1', 'v2']);
    const built = JSON.parse(await skopeo(['inspect', '--tls-verify=false', '--creds', creds(), `docker://${host}/alice/built:v1`])) as { Labels: Record<string, string> };
    assert.equal(built.Labels['org.opencontainers.image.description'], 'built by buildah');
    const api = await fetch(`${kura.url}/api/v1/users/alice/packages/container/built`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(api.status, 200);
    const pkg = (await api.json()) as { description?: string | null };
    assert.equal(pkg.description, 'built by buildah', 'config labels reach the package');
  });

  it('oras pushes an artifact, attaches a signature to an image and discovers it', async () => {
    const oras = await goTool('oras');
    const auth = ['--plain-http', '-u', 'alice', '-p', token];
    const files = join(work, 'oras');
    await mkdir(files, { recursive: true });
    await writeFile(join(files, 'artifact.txt'), 'artifact body\n');
    await writeFile(join(files, 'sig.json'), '{"signature":true}\n');
    const orasRun = (args: string[]) => runToolOk(oras, args, { cwd: files, timeoutMs: 60_000 });
    await orasRun(['push', ...auth, `${host}/alice/artifact:v1`, '--artifact-type', 'application/vnd.example.thing', 'artifact.txt:text/plain']);
    await skopeo(['copy', `oci:${layout}:v1`, `docker://${host}/alice/signed:v1`, '--dest-tls-verify=false', '--dest-creds', creds()]);
    await orasRun(['attach', ...auth, '--artifact-type', 'application/vnd.example.signature', `${host}/alice/signed:v1`, 'sig.json:application/json']);
    const discovered = JSON.parse(await orasRun(['discover', ...auth, '--format', 'json', `${host}/alice/signed:v1`])) as { referrers: Array<{ artifactType: string }> };
    assert.deepEqual(discovered.referrers.map((r) => r.artifactType), ['application/vnd.example.signature']);
    await orasRun(['pull', ...auth, '-o', join(files, 'pulled'), `${host}/alice/artifact:v1`]);
    assert.equal(await readFile(join(files, 'pulled', 'artifact.txt'), 'utf8'), 'artifact body\n');
  });
});
