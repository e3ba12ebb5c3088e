import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../core/access/principal.js';
import { ingestStream, type StagedBlob } from '../../core/blobs/blob-ingest.js';
import { KuraError, isKuraError } from '../../core/errors/catalogue.js';
import type { Owner } from '../../core/owners/owner.js';
import type { FormatContext } from '../contract.js';
import { readNupkg, type NupkgContents, type RandomAccessSource } from './nupkg.js';
import { packageIdKey } from './package-id.js';

/**
 * Streams the `package` part of a push (multipart as NuGet.exe and dotnet send it: unquoted
 * parameters, chunked bodies; the push routes accept no other type) into the blob store, hashed
 * on the way, never whole in memory.
 * @throws KuraError BAD_REQUEST (no multipart boundary, no package part), PAYLOAD_TOO_LARGE
 */
export function receivePackage(ctx: FormatContext, request: FastifyRequest, body: Readable): Promise<StagedBlob> {
  const maxBytes = ctx.limits.maxBodyBytes;
  return new Promise<StagedBlob>((resolve, refuse) => {
    let staged: Promise<StagedBlob> | null = null;
    /** Refuses the push; a part already staged is dropped, not left half-written. */
    const reject = (error: unknown) => {
      (staged as Promise<StagedBlob> | null)?.then((blob) => blob.cancel(), () => undefined);
      refuse(error);
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, parts: 10, fields: 10, fileSize: maxBytes + 1 } });
    } catch {
      reject(new KuraError('BAD_REQUEST', 'a push is a multipart body with a boundary'));
      return;
    }
    parser.on('file', (_name, stream) => {
      // busboy destroys the part with an error when the body ends inside it; the error must find
      // a listener even before the store is ready to read the part (or it ends the process).
      stream.on('error', () => undefined);
      if (staged) {
        stream.resume();
        return;
      }
      staged = ingestStream(ctx.blobs.store, stream, { maxBytes }).catch((error: unknown) => {
        throw isKuraError(error) ? error : new KuraError('BAD_REQUEST', 'the multipart body ended inside the package part');
      });
      staged.catch((error: unknown) => {
        // The part was refused (too large): stop parsing and drain the rest of the body.
        body.unpipe(parser);
        body.resume();
        reject(error);
      });
    });
    parser.on('error', () => reject(new KuraError('BAD_REQUEST', 'the multipart body is malformed')));
    parser.on('close', () => {
      if (!staged) reject(new KuraError('BAD_REQUEST', 'the multipart body has no package part (expected a file part holding the .nupkg)'));
      else staged.then(resolve, refuse);
    });
    body.on('error', () => reject(new KuraError('BAD_REQUEST', 'the request body ended early')));
    body.pipe(parser);
  });
}

/** The staged bytes as the zip reader reads them: at any position, before anything is stored. */
export function stagedSource(blob: StagedBlob): RandomAccessSource {
  const read = blob.read;
  if (!read) throw new Error('the staged blob cannot be read back');
  return { size: blob.size, read: (buffer, offset, length, position) => read(buffer.subarray(offset), length, position) };
}

/** Reads and checks a staged .nupkg. @throws KuraError INVALID_ARCHIVE, INVALID_MANIFEST, INVALID_NAME, INVALID_VERSION, PAYLOAD_TOO_LARGE */
export function inspectPackage(blob: StagedBlob): Promise<NupkgContents> {
  return readNupkg(stagedSource(blob));
}

/**
 * `OWNER/REPO` of a Kura repository the nuspec's `<repository url>` names (its last two path
 * segments, when the first of them is the feed's owner).
 */
export function repositoryHint(url: string | null, owner: Owner): string | null {
  if (!url) return null;
  const parts = url.trim().replace(/\.git$/i, '').replace(/\/+$/, '').split(/[/:]/).filter(Boolean);
  const [repoOwner, repo] = parts.slice(-2);
  return repoOwner && repo && repoOwner.toLowerCase() === owner.login.toLowerCase() ? `${repoOwner}/${repo}` : null;
}

/**
 * Publishes a pushed package: one decision on access (a new package may link to the repository
 * its nuspec names), 409 for a version the feed has had (case-insensitively, also deleted ones),
 * then the version with its .nupkg and .nuspec in one transaction.
 * @throws KuraError VERSION_EXISTS, plus access errors
 */
export async function publishPackage(ctx: FormatContext, principal: Principal, owner: Owner, blob: StagedBlob, contents: NupkgContents): Promise<void> {
  const { nuspec } = contents;
  const nameLower = packageIdKey(nuspec.id);
  const target = { principal, owner, name: nuspec.id, nameLower, repository: repositoryHint(nuspec.repositoryUrl, owner) };
  const grant = await ctx.packages.authorizePublish(target);
  const existing = grant.existing;
  const versionKey = nuspec.version.toLowerCase();
  if (existing && (await ctx.packages.queries.versions(existing.id, true)).some((v) => v.version.toLowerCase() === versionKey)) {
    throw new KuraError('VERSION_EXISTS', `The feed already contains '${existing.name} ${nuspec.version}' (versions are immutable, also after a delete); bump the version.`);
  }
  const nuspecBlob = await ingestStream(ctx.blobs.store, Readable.from([contents.nuspecXml]));
  try {
    await ctx.packages.publishVersion({
      ...target,
      name: existing?.name ?? nuspec.id,
      grant,
      version: nuspec.version,
      metadata: nuspec,
      description: nuspec.description ?? nuspec.summary,
      readme: contents.readme,
      license: nuspec.license?.value ?? nuspec.licenseUrl,
      files: [
        { name: `${nameLower}.${versionKey}.nupkg`, blob, contentType: 'application/octet-stream' },
        { name: `${nameLower}.nuspec`, blob: nuspecBlob, contentType: 'application/xml' },
      ],
    });
  } finally {
    await nuspecBlob.cancel();
  }
}
