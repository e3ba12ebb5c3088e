import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { BlobStore, BlobWriter } from '../../core/blobs/blob-store.js';
import { maxDocumentDepth, parsePublishBody, wholeBodyBytes, type ParsedBody } from './publish-body.js';

/** A store of staged writes only (all a body parser uses), counting writers neither committed nor cancelled. */
function countingStore(): { store: BlobStore; open: () => number } {
  let open = 0;
  const create = async (): Promise<BlobWriter> => {
    const chunks: Buffer[] = [];
    open += 1;
    let settled = false;
    const settle = async () => {
      if (!settled) open -= 1;
      settled = true;
    };
    return {
      get size() {
        return chunks.reduce((n, c) => n + c.byteLength, 0);
      },
      write: async (chunk) => void chunks.push(Buffer.from(chunk)),
      read: async (into, length, position) => Buffer.concat(chunks).copy(into, 0, position, position + length),
      commit: settle,
      cancel: settle,
    };
  };
  return { store: { create } as unknown as BlobStore, open: () => open };
}

/** Reads what the inspection sees: the decoded bytes' length. */
async function byteCount(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).byteLength;
  return n;
}

/** Both ways a body is read: whole (the default for small bodies) and streamed token by token. */
const modes = [
  { label: 'read whole', wholeBodyBytes: undefined },
  { label: 'streamed', wholeBodyBytes: 0 },
] as const;

async function parse(body: Buffer | string, mode: (typeof modes)[number], chunkBytes = 7, maxBodyBytes = 1 << 20): Promise<{ parsed: ParsedBody<number>; open: number }> {
  const bytes = Buffer.from(body);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkBytes) chunks.push(bytes.subarray(i, i + chunkBytes));
  const { store, open } = countingStore();
  const parsed = await parsePublishBody(Readable.from(chunks, { objectMode: false }), store, {
    maxBodyBytes, maxMetadataBytes: 1 << 20, inspect: byteCount, ...(mode.wholeBodyBytes === undefined ? {} : { wholeBodyBytes: mode.wholeBodyBytes }),
  });
  return { parsed, open: open() };
}

async function failure(body: string, mode: (typeof modes)[number], maxBodyBytes?: number): Promise<{ code: string; open: number }> {
  const { store, open } = countingStore();
  const bytes = Buffer.from(body);
  try {
    await parsePublishBody(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)], { objectMode: false }), store, {
      maxBodyBytes: maxBodyBytes ?? 1 << 20, maxMetadataBytes: 1 << 20, inspect: byteCount, ...(mode.wholeBodyBytes === undefined ? {} : { wholeBodyBytes: mode.wholeBodyBytes }),
    });
  } catch (error) {
    return { code: (error as { code: string }).code, open: open() };
  }
  assert.fail('the body was accepted');
}

const tarball = Buffer.from('pretend tarball bytes \u0000\u0001\u0002 of some length'.repeat(20));
const publishDocument = {
  _id: '@alice/widget',
  name: '@alice/widget',
  'dist-tags': { latest: '1.0.0' },
  versions: { '1.0.0': { name: '@alice/widget', version: '1.0.0', dist: { shasum: 'x' }, keywords: ['a', 'b'], n: 1.5, ok: true, none: null } },
  _attachments: { '@alice/widget-1.0.0.tgz': { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
};

describe('parsePublishBody', () => {
  it('reads small bodies whole and larger ones streamed', () => {
    assert.ok(wholeBodyBytes >= 64 * 1024, 'a typical publish is read whole');
  });

  for (const mode of modes) {
    describe(mode.label, () => {
      it('stages the attachment and keeps the rest of the document', async () => {
        const { parsed, open } = await parse(JSON.stringify(publishDocument), mode);
        assert.equal(open, 1, 'one staged blob, waiting for the publish to commit it');
        const attachment = parsed.attachments.get('@alice/widget-1.0.0.tgz');
        assert.ok(attachment);
        assert.equal(attachment.blob.sha256, createHash('sha256').update(tarball).digest('hex'));
        assert.equal(attachment.blob.digests.sha512, createHash('sha512').update(tarball).digest('hex'));
        assert.equal(attachment.blob.digests.sha1, createHash('sha1').update(tarball).digest('hex'));
        assert.equal(attachment.blob.size, tarball.length);
        assert.equal(await attachment.inspection, tarball.length);
        assert.equal(attachment.declaredLength, tarball.length);
        assert.equal(attachment.contentType, 'application/octet-stream');
        const plain = JSON.parse(JSON.stringify(parsed.document)) as typeof publishDocument;
        assert.deepEqual(plain.versions, publishDocument.versions);
        assert.deepEqual(plain._attachments, { '@alice/widget-1.0.0.tgz': { content_type: 'application/octet-stream', length: tarball.length } });
        const versions = parsed.document['versions'] as object;
        assert.equal(Object.getPrototypeOf(versions), null, 'objects below the root have no prototype');
      });

      it('keeps a key named __proto__ as data, not as a prototype', async () => {
        const { parsed } = await parse('{"name":"x","versions":{"__proto__":{"polluted":true}}}', mode);
        const versions = parsed.document['versions'] as Record<string, unknown>;
        assert.deepEqual(Object.keys(versions), ['__proto__']);
        assert.equal((versions as { polluted?: unknown }).polluted, undefined);
        assert.equal(({} as { polluted?: unknown }).polluted, undefined);
      });

      it('leaves attachment data that is not a string in the document', async () => {
        const { parsed, open } = await parse('{"_attachments":{"a.tgz":{"data":42}}}', mode);
        assert.equal(parsed.attachments.size, 0);
        assert.equal(open, 0);
        assert.equal((parsed.document['_attachments'] as Record<string, Record<string, unknown>>)['a.tgz']!['data'], 42);
      });

      it('decodes base64 split across chunks and lines', async () => {
        const wrapped = tarball.toString('base64').replace(/(.{76})/g, '$1\\n');
        const { parsed } = await parse(`{"_attachments":{"a.tgz":{"data":"${wrapped}"}}}`, mode, 3);
        assert.equal(parsed.attachments.get('a.tgz')?.blob.sha256, createHash('sha256').update(tarball).digest('hex'));
      });

      it('refuses malformed JSON and a root that is not an object, keeping nothing', async () => {
        const data = tarball.toString('base64');
        assert.deepEqual(await failure(`{"_attachments":{"a.tgz":{"data":"${data}"}},`, mode), { code: 'MALFORMED_JSON', open: 0 });
        assert.deepEqual(await failure('[1,2]', mode), { code: 'MALFORMED_JSON', open: 0 });
        assert.deepEqual(await failure('"text"', mode), { code: 'MALFORMED_JSON', open: 0 });
      });

      it('refuses attachment data that is not base64, keeping nothing', async () => {
        const data = tarball.toString('base64');
        assert.deepEqual(await failure(`{"_attachments":{"a.tgz":{"data":"${data}"},"b.tgz":{"data":"not*base64"}}}`, mode), { code: 'INVALID_ARCHIVE', open: 0 });
      });

      it('refuses base64 with padding inside it or a length no encoder writes, keeping nothing', async () => {
        const data = tarball.toString('base64');
        for (const broken of [`QQ==${data}`, `${data.slice(0, 40)}=${data.slice(41)}`, `${data}A`, `${data}===`]) {
          assert.deepEqual(await failure(`{"_attachments":{"a.tgz":{"data":"${broken}"}}}`, mode), { code: 'INVALID_ARCHIVE', open: 0 }, broken.slice(0, 50));
        }
        const unpadded = data.replace(/=+$/, '');
        const { parsed } = await parse(`{"_attachments":{"a.tgz":{"data":"${unpadded}"}}}`, mode);
        assert.equal(parsed.attachments.get('a.tgz')?.blob.size, tarball.length, 'padding may be left out');
      });

      it('refuses a document nested deeper than npm metadata ever is, keeping nothing', async () => {
        for (const depth of [maxDocumentDepth + 1, 20_000]) {
          const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
          const data = tarball.toString('base64');
          assert.deepEqual(await failure(`{"name":"x","deep":${nested},"_attachments":{"a.tgz":{"data":"${data}"}}}`, mode), { code: 'INVALID_MANIFEST', open: 0 }, `depth ${depth}`);
        }
        const nested = `${'{"a":'.repeat(maxDocumentDepth - 1)}1${'}'.repeat(maxDocumentDepth - 1)}`;
        const { parsed } = await parse(`{"deep":${nested}}`, mode);
        assert.ok(parsed.document['deep']);
      });

      it('refuses a body over the size limit', async () => {
        const data = tarball.toString('base64');
        assert.deepEqual(await failure(`{"_attachments":{"a.tgz":{"data":"${data}"}}}`, mode, 200), { code: 'PAYLOAD_TOO_LARGE', open: 0 });
      });
    });
  }

  it('refuses padding followed by more data in a large attachment decoded in batches', async () => {
    const half = Buffer.alloc(300_001, 9).toString('base64');
    const body = JSON.stringify({ name: 'x', _attachments: { 'x.tgz': { data: `${half}${half}` } } });
    assert.ok(half.endsWith('='));
    for (const mode of modes) assert.deepEqual(await failure(body, mode, 4 << 20), { code: 'INVALID_ARCHIVE', open: 0 }, mode.label);
  });

  it('streams a body larger than the whole-body size', async () => {
    const big = Buffer.alloc(wholeBodyBytes + 1000, 7);
    const body = JSON.stringify({ name: 'x', _attachments: { 'x.tgz': { data: big.toString('base64') } } });
    const { parsed } = await parse(body, modes[0], 64 * 1024, 4 << 20);
    assert.equal(parsed.attachments.get('x.tgz')?.blob.sha256, createHash('sha256').update(big).digest('hex'));
    assert.equal(await parsed.attachments.get('x.tgz')?.inspection, big.length);
  });
});
