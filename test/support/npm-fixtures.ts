import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';

export interface TarballSpec {
  name: string;
  version: string;
  /** Extra package.json fields. */
  manifest?: Record<string, unknown>;
  files?: Record<string, string>;
}

/** Builds a real npm tarball (gzip'd tar with `package/…` entries). */
export async function buildTarball(spec: TarballSpec): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'kura-tgz-'));
  try {
    const pkgDir = join(dir, 'package');
    await mkdir(pkgDir);
    await writeFile(join(pkgDir, 'package.json'), JSON.stringify({ name: spec.name, version: spec.version, ...spec.manifest }));
    for (const [file, content] of Object.entries(spec.files ?? { 'index.js': 'module.exports = 1;\n', 'README.md': `# ${spec.name}\n` })) {
      await writeFile(join(pkgDir, file), content);
    }
    const out = join(dir, 'out.tgz');
    await create({ gzip: true, file: out, cwd: dir, portable: true }, ['package']);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function integrityOf(data: Buffer): { integrity: string; shasum: string } {
  return {
    integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
    shasum: createHash('sha1').update(data).digest('hex'),
  };
}

/** The JSON body `npm publish` sends for one version, with optional overrides for bad-input tests. */
export function publishBody(name: string, version: string, tarball: Buffer, options: {
  manifest?: Record<string, unknown>;
  tag?: string;
  integrity?: string;
  shasum?: string;
  bodyName?: string;
  attachmentName?: string;
} = {}): Record<string, unknown> {
  const digests = integrityOf(tarball);
  const bare = name.split('/')[1];
  return {
    _id: options.bodyName ?? name,
    name: options.bodyName ?? name,
    description: 'test package',
    'dist-tags': { [options.tag ?? 'latest']: version },
    versions: {
      [version]: {
        name,
        version,
        description: 'test package',
        ...options.manifest,
        _id: `${name}@${version}`,
        dist: {
          integrity: options.integrity ?? digests.integrity,
          shasum: options.shasum ?? digests.shasum,
          tarball: `http://localhost/npm/${name}/-/${bare}-${version}.tgz`,
        },
      },
    },
    access: null,
    _attachments: {
      [options.attachmentName ?? `${name}-${version}.tgz`]: {
        content_type: 'application/octet-stream',
        data: tarball.toString('base64'),
        length: tarball.length,
      },
    },
  };
}

/** Encodes a scoped npm name as npm does in URLs (`@scope%2fname`). */
export function npmUrlName(name: string): string {
  return name.replace('/', '%2f');
}
