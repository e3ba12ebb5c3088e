import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tarOf } from '../../../test/support/tar-archive.js';
import { inspectTarball } from './tarball.js';

const packageJson = Buffer.from(JSON.stringify({ name: '@alice/pkg', version: '1.0.0' }));

/** Streams `bytes` in 64 KiB chunks, as an attachment arrives. */
const chunked = (bytes: Buffer): Readable => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
  return Readable.from(chunks);
};

describe('inspectTarball', () => {
  it('reads package.json and the README of a gzip\'d tar', async () => {
    const tarball = gzipSync(tarOf([{ path: 'package/package.json', content: packageJson }, { path: 'package/README.md', content: Buffer.from('# pkg') }]));
    const facts = await inspectTarball(chunked(tarball));
    assert.equal(facts.packageJson['name'], '@alice/pkg');
    assert.equal(facts.readme, '# pkg');
    assert.equal(facts.fileCount, 2);
  });

  it('stops at the end of the archive: megabytes of padding after it cost nothing to inspect', async () => {
    const padded = gzipSync(Buffer.concat([tarOf([{ path: 'package/package.json', content: packageJson }]), Buffer.alloc(64 << 20)]), { level: 1 });
    const started = Date.now();
    const facts = await inspectTarball(chunked(padded));
    assert.equal(facts.packageJson['version'], '1.0.0');
    assert.ok(Date.now() - started < 3000, `inspected in ${Date.now() - started} ms`);
  });

  it('refuses an archive that decompresses to more than the limit, without inflating all of it', async () => {
    const bomb = gzipSync(tarOf([{ path: 'package/package.json', content: packageJson }, { path: 'package/zeros.bin', content: Buffer.alloc(8 << 20) }]), { level: 1 });
    await assert.rejects(inspectTarball(chunked(bomb), { maxUnpackedBytes: 1 << 20 }), (error: { code?: string; message: string }) => {
      assert.equal(error.code, 'INVALID_ARCHIVE');
      assert.match(error.message, /decompresses to more than 1048576 bytes/);
      return true;
    });
  });
});
