#!/usr/bin/env node
// Runs Kura's test suites with node's test runner: builds first (the e2e tests start the
// real `kura` binary), then runs unit/protocol/conformance/security tests and the e2e tests.
// Usage: node scripts/run-tests.js [unit|e2e] [extra file filters...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [suite = 'all', ...filters] = process.argv.slice(2);

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
const isE2e = (f) => f.startsWith('test/e2e/');
let files = suite === 'unit' ? all.filter((f) => !isE2e(f)) : suite === 'e2e' ? all.filter(isE2e) : all;
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const result = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.KURA_TEST_CONCURRENCY ?? 4}`, ...files,
], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
process.exit(result.status ?? 1);
