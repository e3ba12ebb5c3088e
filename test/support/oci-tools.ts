import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { tarWithFile } from './tar-archive.js';

/** The checkout's root, and where scripts/install-clients/oci.sh puts the Go-built tools. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const toolsBin = join(repoRoot, '.tools', 'bin');

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a client to completion within `timeoutMs` (its whole process group is killed after),
 * never rejecting for a non-zero exit.
 */
export function runTool(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? repoRoot, env: { ...process.env, ...options.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** Like {@link runTool}, but resolves to stdout only when the command exited 0. @throws Error with the output otherwise */
export async function runToolOk(command: string, args: readonly string[], options: Parameters<typeof runTool>[2] = {}): Promise<string> {
  const result = await runTool(command, args, options);
  if (result.code !== 0 || result.timedOut) {
    throw new Error(`${command} ${args.join(' ')} ${result.timedOut ? 'timed out' : `exited with ${result.code}`}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result.stdout;
}

/** The pinned `module@version` of a Go tool, read from scripts/install-clients/oci.sh (one source of truth). */
export function pinnedGoTool(name: 'conformance' | 'oras'): string {
  const script = readFileSync(join(repoRoot, 'scripts', 'install-clients', 'oci.sh'), 'utf8');
  const module = new RegExp(`^${name}_module="([^"]+)"`, 'm').exec(script)?.[1];
  const version = new RegExp(`^${name}_version="([^"]+)"`, 'm').exec(script)?.[1];
  if (!module || !version) throw new Error(`scripts/install-clients/oci.sh pins no ${name}`);
  return `${module}@${version}`;
}

/** The path of a Go tool in .tools/bin, building it (once, cached) when it is missing. */
export async function goTool(name: 'conformance' | 'oras'): Promise<string> {
  const path = join(toolsBin, name);
  if (existsSync(path)) return path;
  await mkdir(toolsBin, { recursive: true });
  await runToolOk('go', ['install', pinnedGoTool(name)], { env: { GOBIN: toolsBin, GOFLAGS: '-mod=mod' }, timeoutMs: 300_000 });
  return path;
}

/** Whether `command` is on the PATH. */
export async function hasCommand(command: string): Promise<boolean> {
  const result = await runTool('sh', ['-c', `command -v ${command}`], { timeoutMs: 5_000 });
  return result.code === 0;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export interface LayoutImage {
  /** Written into the single layer as /hello.txt. */
  content: string | Buffer;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

/**
 * Writes an OCI image layout at `dir` (index.json, oci-layout, blobs/sha256/…) with one tag per
 * entry: a single image, or an index of several platforms. Returns the manifest digests by tag.
 */
export async function writeOciLayout(dir: string, tags: Record<string, LayoutImage | LayoutImage[]>): Promise<Record<string, string>> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (data: Buffer) => {
    const hex = sha256(data);
    await writeFile(join(blobs, hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const image = async (spec: LayoutImage) => {
    const tar = tarWithFile('hello.txt', Buffer.from(spec.content));
    const layer = await put(gzipSync(tar));
    const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
    const config = await put(Buffer.from(JSON.stringify({ ...platform, created: '2024-01-01T00:00:00Z', config: {}, rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(tar)}`] } })));
    const manifest = await put(Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      ...(spec.annotations ? { annotations: spec.annotations } : {}),
    })));
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform };
  };
  const entries = [];
  const digests: Record<string, string> = {};
  for (const [tag, spec] of Object.entries(tags)) {
    let descriptor;
    if (Array.isArray(spec)) {
      const children = [];
      for (const child of spec) children.push(await image(child));
      const index = await put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: children })));
      descriptor = { mediaType: 'application/vnd.oci.image.index.v1+json', ...index };
    } else {
      const { platform: _platform, ...single } = await image(spec);
      descriptor = single;
    }
    digests[tag] = descriptor.digest;
    entries.push({ ...descriptor, annotations: { 'org.opencontainers.image.ref.name': tag } });
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: entries }));
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return digests;
}
