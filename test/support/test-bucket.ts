import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../../src/drivers/blob/s3-bucket.js';

/**
 * The S3 server the suite runs against, when it runs against one: scripts/run-tests.js starts a
 * throwaway SeaweedFS and passes its endpoint and credentials as `KURA_TEST_S3_*`.
 */
const endpoint = process.env['KURA_TEST_S3_ENDPOINT'];
const accessKeyId = process.env['KURA_TEST_S3_ACCESS_KEY_ID'] ?? '';
const secretAccessKey = process.env['KURA_TEST_S3_SECRET_ACCESS_KEY'] ?? '';

/** True when an S3 server is available to the suite. */
export const s3Available = Boolean(endpoint);

/** A bucket of its own for one test, and how to empty and remove it afterwards. */
export interface TestBucket {
  settings: S3Settings;
  /** The `KURA_*` variables that point a Kura at this bucket. */
  env: Record<string, string>;
  /** Keys left in the bucket (for checks that nothing is left behind). */
  keys(prefix?: string): Promise<string[]>;
  drop(): Promise<void>;
}

function client(): S3Client {
  return new S3Client({
    endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates a new, empty bucket. @throws Error when no S3 server is configured. */
export async function createTestBucket(): Promise<TestBucket> {
  if (!endpoint) throw new Error('no S3 server: KURA_TEST_S3_ENDPOINT is not set');
  const bucket = `kura-test-${randomBytes(6).toString('hex')}`;
  const s3 = client();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const keys = async (prefix?: string) => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key);
      token = page.NextContinuationToken;
    } while (token);
    return out;
  };
  return {
    settings: { endpoint, bucket, region: 'us-east-1', accessKeyId, secretAccessKey, forcePathStyle: true },
    env: {
      KURA_BLOB_DRIVER: 's3', KURA_S3_ENDPOINT: endpoint, KURA_S3_BUCKET: bucket, KURA_S3_REGION: 'us-east-1',
      KURA_S3_ACCESS_KEY_ID: accessKeyId, KURA_S3_SECRET_ACCESS_KEY: secretAccessKey, KURA_S3_FORCE_PATH_STYLE: 'true',
    },
    keys,
    async drop() {
      const left = await keys();
      for (let i = 0; i < left.length; i += 1000) {
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: left.slice(i, i + 1000).map((Key) => ({ Key })) } }));
      }
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      s3.destroy();
    },
  };
}
