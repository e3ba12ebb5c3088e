import { createHash } from 'node:crypto';
import type { BlobStore } from '../core/blobs/blob-store.js';

/** A blob the source database refers to. */
export interface BlobEntry {
  sha256: string;
  size: number;
}

/** Reports bytes handled so far (copied or found already present) of all blobs. */
export type BlobProgress = (doneBytes: number, totalBytes: number, doneBlobs: number, totalBlobs: number) => void;

export interface BlobCopyReport {
  copied: number;
  copiedBytes: number;
  /** Blobs the target already held with the right size (an earlier, interrupted run copied them). */
  present: number;
  /** Blobs that could not be copied: missing from the source, or whose bytes do not hash to their name. */
  failures: string[];
}

/**
 * Streams `sha256`'s bytes from `source` into `target`, hashing them on the way; commits only when
 * they hash to the name, so a damaged source blob is reported and never stored.
 */
async function copyBlob(source: BlobStore, target: BlobStore, blob: BlobEntry): Promise<string | null> {
  const stat = await source.stat(blob.sha256);
  if (!stat) return `${blob.sha256}: missing from the source store`;
  const writer = await target.create();
  try {
    const hash = createHash('sha256');
    for await (const chunk of await source.open(blob.sha256) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      await writer.write(chunk);
    }
    const digest = hash.digest('hex');
    if (digest !== blob.sha256) {
      await writer.cancel();
      return `${blob.sha256}: the source's bytes hash to ${digest}`;
    }
    await writer.commit(blob.sha256);
    return null;
  } catch (error) {
    await writer.cancel();
    throw error;
  }
}

/**
 * Copies the blobs into `target`, skipping those it already holds (listed once up front, so a
 * rerun after an interruption resumes where it stopped), `parallel` at a time.
 */
export async function copyBlobs(blobs: readonly BlobEntry[], source: BlobStore, target: BlobStore, progress: BlobProgress = () => {}, parallel = 4): Promise<BlobCopyReport> {
  const held = new Map<string, number>();
  for await (const info of target.list()) held.set(info.sha256, info.size);
  const totalBytes = blobs.reduce((n, b) => n + b.size, 0);
  const report: BlobCopyReport = { copied: 0, copiedBytes: 0, present: 0, failures: [] };
  let doneBytes = 0;
  let doneBlobs = 0;
  let next = 0;
  progress(0, totalBytes, 0, blobs.length);
  const worker = async () => {
    while (next < blobs.length) {
      const blob = blobs[next++]!;
      if (held.get(blob.sha256) === blob.size) {
        report.present++;
      } else {
        const failure = await copyBlob(source, target, blob);
        if (failure) report.failures.push(failure);
        else {
          report.copied++;
          report.copiedBytes += blob.size;
        }
      }
      doneBytes += blob.size;
      doneBlobs++;
      progress(doneBytes, totalBytes, doneBlobs, blobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, blobs.length) }, worker));
  return report;
}
