import { Readable } from 'node:stream';
import { ingestStream, type StagedBlob } from '../../core/blobs/blob-ingest.js';
import { isKuraError } from '../../core/errors/catalogue.js';
import type { PublishFile } from '../../core/packages/package-service.js';
import { containerFormat, type RegistryCaller, type ResolvedImage } from './access.js';
import type { BlobLinks } from './blob-links.js';
import { digestOf, type Digest } from './digests.js';
import { ociError } from './errors.js';
import { readConfigFacts } from './image-facts.js';
import type { ManifestIndex } from './manifest-index.js';
import { parseManifest, type Manifest } from './manifest.js';
import { isForeignLayer } from './media-types.js';
import type { ContainerContext, ContainerTx } from './tables.js';
import { describeVersion } from './version-metadata.js';

/** Where a manifest is pushed: a tag, or its digest. */
export type ManifestReference = { tag: string } | { digest: Digest };

export interface PushedManifest {
  digest: string;
  /** The subject digest, for the OCI-Subject header. */
  subject: string | null;
}

/**
 * Pushes manifests: each manifest is a version of the image's package, named by its digest
 * (immutable; pushing the same bytes again only moves the tag). Its files are the manifest
 * itself and, for image manifests, the config and layer blobs, so garbage collection sees them
 * referenced.
 */
export class ManifestPusher {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly links: BlobLinks,
    private readonly index: ManifestIndex,
  ) {}

  /**
   * Validates `body` (schema of its media type, digest, referenced blobs and manifests present
   * in this image) and publishes it, pointing `reference`'s tag and `extraTags` at it.
   * @throws KuraError MANIFEST_INVALID, DIGEST_INVALID, MANIFEST_BLOB_UNKNOWN, plus access errors from the core
   */
  async push(caller: RegistryCaller, image: ResolvedImage, reference: ManifestReference, body: Buffer, contentType: string | undefined, extraTags: readonly string[] = []): Promise<PushedManifest> {
    const manifest = parseManifest(body, contentType);
    const digest = 'digest' in reference ? digestOf(reference.digest.algorithm, body) : digestOf('sha256', body);
    if ('digest' in reference && digest.text !== reference.digest.text) {
      throw ociError('DIGEST_INVALID', `the manifest's digest is ${digest.text}, not ${reference.digest.text}`, { digest: reference.digest.text });
    }
    const tags = [...new Set(['tag' in reference ? [reference.tag] : [], extraTags].flat())];
    const files = await this.referencedFiles(image, manifest);
    const pkg = image.pkg;
    const existing = pkg ? await this.ctx.packages.queries.version(pkg.id, digest.text) : null;
    if (pkg && existing) {
      if (existing.deletedAt) await this.ctx.packages.restoreVersion(caller.principal, pkg, existing);
      await this.recordIndex(existing.id, pkg.id, digest, body, manifest);
      for (const tag of tags) await this.tag(caller, image, tag, digest.text);
      return { digest: digest.text, subject: manifest.subject?.digest.text ?? null };
    }

    const configSha256 = manifest.config ? files.find((f) => f.name === manifest.config!.digest.text)?.blob.sha256 ?? null : null;
    const facts = await readConfigFacts(this.ctx.blobs.store, manifest, configSha256);
    const described = describeVersion(manifest, digest, body.length, facts);

    const staged = await ingestStream(this.ctx.blobs.store, Readable.from([body]));
    try {
      const manifestFile: PublishFile = { name: digest.text, blob: staged, contentType: manifest.mediaType };
      await this.ctx.packages.publishVersion({
        principal: caller.principal,
        owner: image.owner,
        name: image.name.image,
        nameLower: image.name.image,
        version: digest.text,
        metadata: described.metadata,
        description: described.description,
        license: described.license,
        repository: described.repository,
        files: [manifestFile, ...files.filter((f) => f.name !== digest.text)],
        tags,
        withinTransaction: (trx, ids) => this.recordIndex(ids.versionId, ids.packageId, digest, body, manifest, staged.sha256, trx),
      });
    } catch (error) {
      if (!isKuraError(error) || error.code !== 'VERSION_EXISTS') throw error;
      const raced = await this.ctx.packages.queries.find(containerFormat, image.owner.login, image.name.image);
      const version = raced ? await this.ctx.packages.queries.version(raced.id, digest.text) : null;
      if (!raced || !version || version.deletedAt) throw error;
      await this.recordIndex(version.id, raced.id, digest, body, manifest, staged.sha256);
      for (const tag of tags) await this.tag(caller, { ...image, pkg: raced }, tag, digest.text);
    } finally {
      await staged.cancel();
    }
    return { digest: digest.text, subject: manifest.subject?.digest.text ?? null };
  }

  /**
   * The blobs an image manifest needs, as files of its version; for an index, checks that every
   * listed manifest was pushed to this image. Foreign (non-distributable) layers are skipped.
   * @throws KuraError MANIFEST_BLOB_UNKNOWN, MANIFEST_INVALID (a size that does not match)
   */
  private async referencedFiles(image: ResolvedImage, manifest: Manifest): Promise<PublishFile[]> {
    if (manifest.kind === 'index') {
      for (const child of manifest.manifests) {
        const found = image.pkg ? await this.index.byDigest(image.pkg, child.digest.text) : null;
        if (!found) throw ociError('MANIFEST_BLOB_UNKNOWN', `the index lists ${child.digest.text}, which was not pushed to ${image.name.full}`, { digest: child.digest.text });
      }
      return [];
    }
    const key = { ownerId: image.owner.id, image: image.name.image };
    const wanted = [manifest.config!, ...manifest.layers].filter((d) => !isForeignLayer(d.mediaType, d.urls));
    const files = new Map<string, PublishFile>();
    for (const descriptor of wanted) {
      if (files.has(descriptor.digest.text)) continue;
      const blob = await this.links.find(key, descriptor.digest.text);
      if (!blob) throw ociError('MANIFEST_BLOB_UNKNOWN', `blob ${descriptor.digest.text} was not pushed to ${image.name.full}`, { digest: descriptor.digest.text });
      if (blob.size !== descriptor.size) {
        throw ociError('MANIFEST_INVALID', `the manifest gives ${descriptor.digest.text} a size of ${descriptor.size}, but the blob has ${blob.size} bytes`, { digest: descriptor.digest.text });
      }
      files.set(descriptor.digest.text, { name: descriptor.digest.text, blob: storedBlob(blob.sha256, blob.size), contentType: descriptor.mediaType });
    }
    const sha256s = [...new Set([...files.values()].map((f) => f.blob.sha256))];
    await this.ctx.blobs.records.touch(sha256s);
    for (const sha256 of sha256s) {
      if (!(await this.ctx.blobs.store.stat(sha256))) {
        const name = [...files.values()].find((f) => f.blob.sha256 === sha256)!.name;
        throw ociError('MANIFEST_BLOB_UNKNOWN', `blob ${name} is no longer stored; push it again`, { digest: name });
      }
    }
    return [...files.values()];
  }

  private async tag(caller: RegistryCaller, image: ResolvedImage, tag: string, digest: string): Promise<void> {
    const pkg = image.pkg ?? (await this.ctx.packages.queries.find(containerFormat, image.owner.login, image.name.image));
    if (!pkg) return;
    const current = await this.index.byTag(pkg, tag);
    if (current?.digest === digest) return;
    await this.ctx.packages.setTag(caller.principal, pkg, tag, digest);
  }

  private async recordIndex(versionId: number, packageId: number, digest: Digest, body: Buffer, manifest: Manifest, sha256?: string, db?: ContainerTx): Promise<void> {
    await this.index.record({
      versionId, packageId, digest: digest.text, sha256: sha256 ?? digestOf('sha256', body).hex, size: body.length, manifest,
      createdAt: this.ctx.now().toISOString(),
    }, db);
  }
}

/** A blob already in the store, handed to publishVersion as a file: nothing left to commit, and the push touched it. */
function storedBlob(sha256: string, size: number): StagedBlob {
  return { sha256, size, digests: {}, commit: async () => undefined, cancel: async () => undefined };
}
