import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KuraError } from '../../core/errors/catalogue.js';
import { zipBytes } from '../../../test/e2e/fixtures/maven/artifacts.js';
import { ZipShapeCheck } from './zip-shape.js';

function check(bytes: Buffer, chunkSize = bytes.length || 1): void {
  const shape = new ZipShapeCheck('lib-1.0.jar');
  for (let at = 0; at < bytes.length; at += chunkSize) shape.update(bytes.subarray(at, at + chunkSize));
  shape.finish();
}

const invalid = (why: RegExp) => (error: unknown) => error instanceof KuraError && error.code === 'INVALID_ARCHIVE' && why.test(error.message);

describe('zip shape check', () => {
  it('accepts zip archives however the bytes are chunked, with or without a comment', () => {
    const jar = zipBytes({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n', 'a/B.class': Buffer.alloc(100_000, 1) });
    check(jar);
    check(jar, 1);
    check(jar, 4096);
    const commented = Buffer.concat([jar.subarray(0, jar.length - 2), Buffer.from([5, 0]), Buffer.from('hello')]);
    check(commented, 7);
    check(zipBytes({}));
  });

  it('refuses what is not a zip archive', () => {
    const jar = zipBytes({ 'a.txt': 'a' });
    assert.throws(() => check(Buffer.from('hello world, this is plain text')), invalid(/does not start with a zip header/));
    assert.throws(() => check(Buffer.alloc(0)), invalid(/too short/));
    assert.throws(() => check(jar.subarray(0, jar.length - 1)), invalid(/no end-of-central-directory record/));
    assert.throws(() => check(Buffer.concat([jar, Buffer.from('trailing')])), invalid(/no end-of-central-directory record/));
    const outside = Buffer.from(jar);
    outside.writeUInt32LE(jar.length, jar.length - 22 + 16);
    assert.throws(() => check(outside), invalid(/outside the file/));
  });
});
