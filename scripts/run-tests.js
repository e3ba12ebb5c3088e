#!/usr/bin/env node
// Runs Kura's test suites with node's test runner: builds first (the e2e tests start the real
// `kura` binary), then runs unit/protocol/conformance/security tests and the e2e tests (real
// clients in test/e2e, Chromium in test/browser), once per database: on SQLite and on a
// throwaway PostgreSQL server, both runs at once, and the npm and OCI client suites a third time
// with their blobs in S3.
// Usage: node scripts/run-tests.js [unit|e2e|all] [extra file filters...]
// KURA_TEST_DATABASES=sqlite (or postgres) runs one of the two; KURA_TEST_CONCURRENCY sets the
// number of test files each run executes at once. An S3 server (SeaweedFS) is started for the
// S3 driver's tests unless KURA_TEST_S3=off. A run still going after KURA_TEST_DEADLINE_MINUTES
// (default 70) is stopped and fails, naming the test files that had not finished.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { startTestPostgres } from './lib/test-postgres.js';
import { startTestS3 } from './lib/test-s3.js';

const root = new URL('..', import.meta.url).pathname;
const [suite = 'all', ...filters] = process.argv.slice(2);
const databases = (process.env.KURA_TEST_DATABASES ?? 'sqlite,postgres').split(',').map((d) => d.trim()).filter(Boolean);
for (const d of databases) if (d !== 'sqlite' && d !== 'postgres') throw new Error(`unknown test database ${d}: use sqlite or postgres`);

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const all = [...find(join(root, 'src')), ...find(join(root, 'test'))].sort();
// The e2e suite: real clients (test/e2e) and Chromium (test/browser) against a real `kura serve`.
const isE2e = (f) => f.startsWith('test/e2e/') || f.startsWith('test/browser/');
let files = suite === 'unit' ? all.filter((f) => !isE2e(f)) : suite === 'e2e' ? all.filter(isE2e) : all;
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

/** Creates `kura_template` on the server and migrates it with the built Kura (core's and every format's tables). */
async function prepareTemplate(serverUrl) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query('create database kura_template');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/kura_template';
  const { loadConfig } = await import('../dist/config/config.js');
  const { openCore } = await import('../dist/main.js');
  const core = await openCore(loadConfig({}, { KURA_DATABASE_URL: url.toString(), KURA_BLOB_DRIVER: 'memory', KURA_DATA_DIR: '/nonexistent-kura-test-dir' }));
  await core.deps.db.destroy();
}

const deadlineMs = Number(process.env.KURA_TEST_DEADLINE_MINUTES ?? 70) * 60_000;
const runningRuns = new Set();

/** Runs `runFiles` as the run `name`; with several runs at once, each output line is prefixed with the name. */
function run(name, env, prefixed, runFiles = files) {
  const concurrency = process.env.KURA_TEST_CONCURRENCY ?? (databases.length > 1 ? 3 : 4);
  // Its own process group, so that a run past the deadline is stopped with every process it started.
  const child = spawn(process.execPath, [
    '--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...runFiles,
  ], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'test', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env } });
  runningRuns.add(child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(prefixed ? `[${name}] ${line}\n` : `${line}\n`));
  }
  return new Promise((resolve) => child.on('close', (code) => {
    runningRuns.delete(child);
    resolve(code ?? 1);
  }));
}

/** Stops every run still going, with the processes it started. */
function stopRuns(signal = 'SIGKILL') {
  for (const child of runningRuns) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}

/** The test files a run's child processes are still executing. */
function unfinishedFiles() {
  const ps = spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  return [...new Set((ps.stdout ?? '').split('\n').flatMap((line) => files.filter((f) => line.includes(f) && !line.includes('--test-concurrency'))))];
}

let postgres = null;
let s3 = null;
const stop = async () => { await Promise.all([postgres?.stop(), s3?.stop()]); };
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopRuns();
    void stop().then(() => process.exit(130));
  });
}
const deadline = setTimeout(() => {
  console.error(`the test run passed its deadline of ${deadlineMs / 60_000} minutes; still running: ${unfinishedFiles().join(', ') || 'unknown'}`);
  stopRuns();
}, deadlineMs);
deadline.unref();
try {
  const runs = [];
  // One S3 server for every run: tests that use it create a bucket each.
  const s3Env = {};
  if (process.env.KURA_TEST_S3 !== 'off') {
    s3 = await startTestS3();
    Object.assign(s3Env, { KURA_TEST_S3_ENDPOINT: s3.endpoint, KURA_TEST_S3_ACCESS_KEY_ID: s3.accessKeyId, KURA_TEST_S3_SECRET_ACCESS_KEY: s3.secretAccessKey });
  }
  // The npm and OCI client suites once more with every blob in the S3 server's buckets.
  const onS3 = s3 ? files.filter((f) => /test\/e2e\/(npm-clients|oci-clients|oci-conformance)\./.test(f)) : [];
  const several = databases.length + (onS3.length > 0 ? 1 : 0) > 1;
  for (const database of databases) {
    if (database === 'postgres') {
      postgres = await startTestPostgres();
      await prepareTemplate(postgres.url);
      runs.push(run(database, { ...s3Env, KURA_TEST_POSTGRES_URL: postgres.url }, several).then((code) => [database, code]));
    } else {
      runs.push(run(database, s3Env, several).then((code) => [database, code]));
    }
  }
  if (s3 && onS3.length > 0) runs.push(run('s3', { ...s3Env, KURA_TEST_BLOBS: 's3' }, true, onS3).then((code) => ['s3 blobs', code]));
  const results = await Promise.all(runs);
  for (const [name, code] of results) console.log(`tests on ${name}: ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
  process.exitCode = results.every(([, code]) => code === 0) ? 0 : 1;
} finally {
  await stop();
}
// Nothing the run started may keep it alive once the servers are down.
process.exit();
