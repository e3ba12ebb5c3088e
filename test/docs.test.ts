import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { settings } from '../src/config/config.js';
import { errorCatalogue } from '../src/core/errors/catalogue.js';
import { formats } from '../src/formats/registry.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('documentation stays in sync with the code', () => {
  it('docs/ERRORS.md lists every catalogue code with its status, and nothing else', () => {
    const doc = read('docs/ERRORS.md');
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(rows, Object.entries(errorCatalogue).map(([code, e]) => [code, e.status]));
  });

  it('the README configuration table lists every setting (core’s and each format’s) with its flag, variable and default', () => {
    const readme = read('README.md');
    for (const s of [...settings, ...formats.flatMap((f) => f.settings ?? [])]) {
      const row = readme.split('\n').find((line) => line.includes(`\`${s.env}\``) && line.startsWith('|'));
      assert.ok(row, `README lacks ${s.env}`);
      if ('flag' in s && s.flag) assert.ok(row.includes(`\`--${s.flag}\``), `README row of ${s.env} lacks --${s.flag}`);
      if (s.default) assert.ok(row.includes(`\`${s.default}\``), `README row of ${s.env} lacks its default ${s.default}`);
    }
  });

  it('the README command reference names every kura command the CLI knows', () => {
    const readme = read('README.md');
    const cli = read('src/cli/main.ts');
    const commands = [...cli.matchAll(/case '([a-z]+(?: [a-z-]+)?)':/g)].map((m) => m[1]);
    assert.ok(commands.length >= 9);
    for (const command of commands) assert.ok(readme.includes(`\`kura ${command}`), `README lacks kura ${command}`);
  });
});
