import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { ByteRange } from '../../core/blobs/blob-store.js';
import { KuraError } from '../../core/errors/catalogue.js';

/** How Kura reaches its bucket. */
export interface S3Settings {
  /** `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:8333`; null uses AWS's endpoint for the region. */
  endpoint: string | null;
  bucket: string;
  region: string;
  /** Both or neither; neither uses the SDK's default credential chain (environment, profile, instance role). */
  accessKeyId: string | null;
  secretAccessKey: string | null;
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key` (most self-hosted servers need it). */
  forcePathStyle: boolean;
}

/** Part size of multipart uploads: memory per upload is this times {@link uploadQueue}. */
const partBytes = 8 * 1024 * 1024;
const uploadQueue = 2;

/** An object as a listing reports it. */
export interface ListedObject {
  key: string;
  size: number;
  modifiedAt: Date;
}

/**
 * The bucket operations the S3 blob store needs, over the AWS SDK v3, with "no such key"
 * answered as null or KuraError NOT_FOUND instead of the SDK's error types.
 */
export class S3Bucket {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3Settings) {
    const config: S3ClientConfig = {
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      // Self-hosted S3 servers do not all know the SDK's newer default checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (settings.endpoint) config.endpoint = settings.endpoint;
    if (settings.accessKeyId && settings.secretAccessKey) {
      config.credentials = { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey };
    }
    this.client = new S3Client(config);
    this.bucket = settings.bucket;
  }

  /** Size and last modification of `key`, or null when it does not exist. */
  async head(key: string): Promise<{ size: number; modifiedAt: Date } | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: out.ContentLength ?? 0, modifiedAt: out.LastModified ?? new Date(0) };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /**
   * Streams `key`, or the inclusive `range` of it.
   * @throws KuraError NOT_FOUND
   */
  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }));
      return out.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw new KuraError('NOT_FOUND', 'blob not found');
      throw error;
    }
  }

  /** Writes a small object in one request. */
  async put(key: string, body: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength }));
  }

  /**
   * Writes `body` as `key`, in parts of {@link partBytes} (one request when it is smaller), so
   * that at most a few parts are in memory at once.
   */
  async upload(key: string, body: Readable): Promise<void> {
    await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body },
      partSize: partBytes,
      queueSize: uploadQueue,
      leavePartsOnError: false,
    }).done();
  }

  /** Removes keys (absent ones are not an error), a thousand per request. */
  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await this.client.send(new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      }));
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) throw new Error(`S3 refused to delete ${failed.length} object(s): ${failed[0]!.Code ?? 'unknown error'}`);
    }
  }

  /**
   * Lists one key, which needs the bucket to exist and the credentials to be valid.
   * @throws Error naming the bucket and what S3 answered.
   */
  async check(): Promise<void> {
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: 1 }));
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'error';
      throw new Error(`the S3 bucket ${this.bucket} cannot be used: ${name}${error instanceof Error && error.message && error.message !== name ? ` (${error.message})` : ''}`);
    }
  }

  /** Every object whose key starts with `prefix`, in key order. */
  async *list(prefix: string): AsyncIterable<ListedObject> {
    for await (const page of paginateListObjectsV2({ client: this.client, pageSize: 1000 }, { Bucket: this.bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield { key: object.Key, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
    }
  }

  /** A URL that fetches `key` without credentials for `seconds`. */
  presignedGet(key: string, seconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: seconds });
  }
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === 'NoSuchBucket') return false;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
