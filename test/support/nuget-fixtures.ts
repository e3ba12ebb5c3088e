import { ZipFile } from 'yazl';
import type { LightMyRequestResponse } from 'fastify';
import type { TestKura } from './harness.js';

export interface NuGetFixture {
  id: string;
  version: string;
  description?: string;
  dependencies?: Array<{ id: string; range: string; targetFramework?: string }>;
  repositoryUrl?: string;
  readme?: string;
  packageType?: string;
}

/** A nuspec as `nuget pack` writes it. */
export function nuspecXml(p: NuGetFixture): string {
  const groups = new Map<string, Array<{ id: string; range: string }>>();
  for (const d of p.dependencies ?? []) groups.set(d.targetFramework ?? 'net6.0', [...(groups.get(d.targetFramework ?? 'net6.0') ?? []), d]);
  const dependencies = groups.size === 0 ? '' : `<dependencies>${[...groups].map(([tf, deps]) => `<group targetFramework="${tf}">${deps.map((d) => `<dependency id="${d.id}" version="${d.range}" />`).join('')}</group>`).join('')}</dependencies>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>${p.id}</id>
    <version>${p.version}</version>
    <authors>Alice</authors>
    <description>${p.description ?? `The ${p.id} package`}</description>
    <license type="expression">MIT</license>
    <tags>kura test</tags>
    ${p.repositoryUrl ? `<repository type="git" url="${p.repositoryUrl}" />` : ''}
    ${p.readme ? '<readme>README.md</readme>' : ''}
    ${p.packageType ? `<packageTypes><packageType name="${p.packageType}" /></packageTypes>` : ''}
    ${dependencies}
  </metadata>
</package>
`;
}

/** A .nupkg (zip) holding `files` beside the nuspec written from `p` (left out with `nuspec: false`). */
export async function buildNupkg(p: NuGetFixture, files: Record<string, Buffer | string> = {}, options: { nuspec?: boolean } = {}): Promise<Buffer> {
  const zip = new ZipFile();
  const safe = p.id.replace(/[^A-Za-z0-9._-]/g, '_');
  const entries: Record<string, Buffer | string> = {
    ...(options.nuspec === false ? {} : { [`${safe}.nuspec`]: nuspecXml(p) }),
    [`lib/net6.0/${safe}.dll`]: 'MZ not really a dll',
    ...(p.readme ? { 'README.md': p.readme } : {}),
    ...files,
  };
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A multipart body as NuGet.exe sends it (unquoted Content-Disposition parameters). */
export function multipart(nupkg: Buffer, boundary = 'kura-boundary'): { payload: Buffer; contentType: string } {
  const head = Buffer.from(`--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=package; filename=package.nupkg\r\n\r\n`);
  return { payload: Buffer.concat([head, nupkg, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary="${boundary}"` };
}

/** `nuget push` as NuGet.exe does it: PUT with a trailing slash, the token in X-NuGet-ApiKey. */
export function pushNupkg(k: TestKura, owner: string, token: string | null, nupkg: Buffer, path = 'package/'): Promise<LightMyRequestResponse> {
  const { payload, contentType } = multipart(nupkg);
  return k.app.inject({ method: 'PUT', url: `/nuget/${owner}/api/v2/${path}`, payload, headers: { 'content-type': contentType, ...(token ? { 'x-nuget-apikey': token } : {}) } });
}
