import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKuraProcess, type KuraProcess } from '../support/kura-process.js';
import { goTool, runTool } from '../support/oci-tools.js';

/**
 * The OCI distribution-spec conformance suite (built with Go from its pinned source) against a
 * real `kura serve`, with every API and data category switched on except sparse indexes (Kura
 * requires an index's manifests to be pushed first, which the spec allows).
 */
describe('OCI distribution-spec conformance suite', () => {
  let kura: KuraProcess;
  let results: string;
  let conformance: string;

  before(async () => {
    conformance = await goTool('conformance');
    kura = await startKuraProcess();
    await kura.cliOk(['user', 'create', 'conformance']);
    results = await mkdtemp(join(tmpdir(), 'kura-oci-conformance-'));
  });
  after(async () => {
    await kura?.stop();
    if (results) await rm(results, { recursive: true, force: true });
  });

  it('passes every test of every category', async (t) => {
    const token = await kura.cliOk(['token', 'create', '--user', 'conformance', '--scopes', 'read:packages,write:packages,delete:packages']);
    const run = await runTool(conformance, [], {
      cwd: results,
      timeoutMs: 240_000,
      env: {
        OCI_REGISTRY: `127.0.0.1:${kura.port}`,
        OCI_TLS: 'disabled',
        OCI_REPO1: 'conformance/repo1',
        OCI_REPO2: 'conformance/repo2',
        OCI_USERNAME: 'conformance',
        OCI_PASSWORD: token,
        OCI_VERSION: '1.1',
        OCI_RESULTS_DIR: results,
        OCI_API_PULL: 'true',
        OCI_API_PUSH: 'true',
        OCI_API_BLOBS_ATOMIC: 'true',
        OCI_API_BLOBS_DELETE: 'true',
        OCI_API_BLOBS_DIGEST_HEADER: 'true',
        OCI_API_BLOBS_MOUNT_ANONYMOUS: 'true',
        OCI_API_BLOBS_UPLOAD_CANCEL: 'true',
        OCI_API_MANIFESTS_ATOMIC: 'true',
        OCI_API_MANIFESTS_DELETE: 'true',
        OCI_API_MANIFESTS_DIGEST_HEADER: 'true',
        OCI_API_MANIFESTS_TAG_PARAM: 'true',
        OCI_API_TAGS_ATOMIC: 'true',
        OCI_API_TAGS_DELETE: 'true',
        OCI_API_TAGS_LIST: 'true',
        OCI_API_REFERRER: 'true',
        OCI_DATA_SPARSE: 'false',
        OCI_DATA_SHA512: 'true',
      },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    const count = (label: string) => Number(new RegExp(`^\\s*${label}\\.+:\\s+(\\d+)`, 'm').exec(output)?.[1] ?? NaN);
    const failures = output.split('\n').filter((line) => /: (FAIL|Error)$/.test(line)).slice(0, 40).join('\n');
    assert.equal(run.timedOut, false, 'the suite finished in time');
    assert.equal(count('FAIL'), 0, `failures:\n${failures}\n${output.slice(-4000)}`);
    assert.equal(count('Error'), 0, failures);
    assert.equal(count('Skip'), 0, 'nothing was skipped');
    assert.equal(count('Disabled'), 0, 'no API was disabled');
    assert.ok(count('Pass') >= 900, `${count('Pass')} tests passed`);
    assert.equal(run.code, 0, output.slice(-2000));
    t.diagnostic(`${count('Pass')} conformance tests passed, 0 failed`);
    const junit = await readFile(join(results, 'junit.xml'), 'utf8');
    assert.match(junit, /failures="0"/);
  });
});
