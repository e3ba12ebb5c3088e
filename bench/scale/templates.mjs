// The template packages the scale generator clones: one package per format, published through
// each format's own protocol to a running `kura serve`, so every row the clones copy is one Kura
// wrote itself. Names, owner and version are distinctive words (see `tokens`) that the generator
// replaces in every cloned text; nothing else in a template names them.
/* global fetch */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';
import { tarOf } from '../lib/tar-archive.mjs';
import { buildGem } from '../rubygems/fixtures.mjs';

/**
 * The words a template is made of: its owner, repository, package name, the owner and name of
 * the package it depends on, and its version. Each appears in lower case and capitalized (NuGet
 * ids); the generator swaps them for the clone's own.
 */
export const tokens = {
  owner: 'tmplowner',
  repo: 'tmplrepo',
  name: 'kuratmpl',
  depOwner: 'depowner',
  depName: 'deppkg',
  version: '9.8.7',
};
export const capitalize = (word) => word.charAt(0).toUpperCase() + word.slice(1);

/** The template's repository URL, as each format's metadata names it (links the package). */
const repositoryUrl = `http://127.0.0.1/${tokens.owner}/${tokens.repo}`;
/** Annotation that makes each cloned manifest distinct (not one of the notable keys Kura copies). */
export const serialAnnotation = 'dev.kura.bench.serial';
const npmMtime = new Date('1985-10-26T08:15:00Z');
const sha = (algorithm, bytes, encoding = 'hex') => createHash(algorithm).update(bytes).digest(encoding);

function zip(entries) {
  return new Promise((resolve, reject) => {
    const file = new yazl.ZipFile();
    for (const [name, content] of Object.entries(entries)) file.addBuffer(Buffer.from(content), name, { mtime: new Date('2026-01-01T00:00:00Z') });
    file.end();
    const chunks = [];
    file.outputStream.on('data', (c) => chunks.push(c)).on('error', reject).on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function expect(response, statuses, what) {
  if (!statuses.includes(response.status)) throw new Error(`${what}: ${response.status} ${(await response.text()).slice(0, 300)}`);
}

/** npm: `@tmplowner/kuratmpl`, ~2 KB tarball, two dependencies (one on another generated package). */
async function publishNpm(base, token) {
  const { owner, name, version, depOwner, depName } = tokens;
  const full = `@${owner}/${name}`;
  const manifest = {
    name: full,
    version,
    description: `The ${name} library: small helpers for ${name} users`,
    main: 'index.js',
    keywords: [name, 'bench', 'kura'],
    author: { name: 'Scale Publisher', email: 'scale@example.com' },
    license: 'MIT',
    repository: { type: 'git', url: `${repositoryUrl}.git` },
    dependencies: { [`@${depOwner}/${depName}`]: '^1.0.0', 'left-pad': '^1.3.0' },
    devDependencies: { typescript: '^5.4.0' },
  };
  const readme = `# ${full}\n\nA package of the scale benchmark.\n\n\`\`\`js\nconst ${name} = require('${full}');\n\`\`\`\n`;
  const tarball = gzipSync(tarOf({
    'package/package.json': Buffer.from(JSON.stringify(manifest, null, 2) + '\n'),
    'package/README.md': Buffer.from(readme),
    'package/index.js': Buffer.from(`'use strict';\nmodule.exports = ${JSON.stringify({ name: full, version })};\n${'// padding\n'.repeat(100)}`),
  }, npmMtime), { level: 9 });
  const body = {
    _id: full,
    name: full,
    description: manifest.description,
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        ...manifest,
        readme,
        readmeFilename: 'README.md',
        _id: `${full}@${version}`,
        _nodeVersion: '20.19.0',
        _npmVersion: '10.8.2',
        dist: { integrity: `sha512-${sha('sha512', tarball, 'base64')}`, shasum: sha('sha1', tarball), tarball: `${base}/npm/${full}/-/${name}-${version}.tgz` },
      },
    },
    access: null,
    _attachments: { [`${full}-${version}.tgz`]: { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  };
  const response = await fetch(`${base}/npm/${full.replace('/', '%2f')}`, {
    method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  await expect(response, [200, 201], `npm publish ${full}`);
}

/** Maven: `org.tmplowner:kuratmpl` in repository tmplowner/tmplrepo, a POM and a jar. */
async function publishMaven(base, token) {
  const { owner, repo, name, version, depOwner, depName } = tokens;
  const groupId = `org.${owner}`;
  const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${groupId}</groupId>
  <artifactId>${name}</artifactId>
  <version>${version}</version>
  <packaging>jar</packaging>
  <name>${name}</name>
  <description>The ${name} library: small helpers for ${name} users</description>
  <url>${repositoryUrl}</url>
  <licenses><license><name>Apache-2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0</url></license></licenses>
  <scm><url>${repositoryUrl}</url><connection>scm:git:${repositoryUrl}.git</connection></scm>
  <dependencies>
    <dependency><groupId>org.${depOwner}</groupId><artifactId>${depName}</artifactId><version>1.0.0</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.9</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>
  </dependencies>
</project>
`;
  const jar = await zip({
    'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\r\nCreated-By: scale benchmark\r\n\r\n',
    [`org/${owner}/${name}/Main.class`]: Buffer.alloc(1500, 7),
  });
  const auth = { authorization: `Basic ${Buffer.from(`${owner}:${token}`).toString('base64')}` };
  const dir = `${base}/maven/${owner}/${repo}/org/${owner}/${name}/${version}/${name}-${version}`;
  for (const [suffix, bytes] of [['.pom', Buffer.from(pom)], ['.jar', jar]]) {
    const response = await fetch(`${dir}${suffix}`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: bytes });
    await expect(response, [200, 201], `maven deploy ${suffix}`);
  }
}

/** RubyGems: gem `kuratmpl`, linked through its homepage, depending on gem `deppkg`. */
async function publishGem(base, token) {
  const { owner, name, version, depName } = tokens;
  const gem = buildGem(name, version, repositoryUrl, [depName]);
  const response = await fetch(`${base}/rubygems/${owner}/api/v1/gems`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/octet-stream' }, body: gem });
  await expect(response, [200, 201], 'gem push');
}

/** NuGet: `Tmplowner.Kuratmpl`, a .nupkg with a README, depending on `Depowner.Deppkg`. */
async function publishNuget(base, token) {
  const { owner, name, version, depOwner, depName } = tokens;
  const id = `${capitalize(owner)}.${capitalize(name)}`;
  const nuspec = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>${id}</id>
    <version>${version}</version>
    <authors>Scale Publisher</authors>
    <description>The ${name} library: small helpers for ${name} users</description>
    <license type="expression">MIT</license>
    <tags>${name} bench kura</tags>
    <repository type="git" url="${repositoryUrl}" />
    <readme>README.md</readme>
    <dependencies><group targetFramework="net8.0"><dependency id="${capitalize(depOwner)}.${capitalize(depName)}" version="[1.0.0, )" /></group></dependencies>
  </metadata>
</package>
`;
  const nupkg = await zip({ [`${id}.nuspec`]: nuspec, [`lib/net8.0/${id}.dll`]: Buffer.alloc(2000, 3), 'README.md': `# ${id}\n\nA package of the scale benchmark.\n` });
  const boundary = 'scale-boundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=package; filename=package.nupkg\r\n\r\n`),
    nupkg, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const response = await fetch(`${base}/nuget/${owner}/api/v2/package/`, {
    method: 'PUT', headers: { 'x-nuget-apikey': token, 'content-type': `multipart/form-data; boundary=${boundary}` }, body,
  });
  await expect(response, [200, 201], 'nuget push');
}

/** The template image's manifest bytes with serial `serial` (the clones' manifests differ only there). */
export function containerManifest(config, layer, serial) {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha('sha256', config)}`, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${sha('sha256', layer)}`, size: layer.length }],
    annotations: { [serialAnnotation]: String(serial) },
  }));
}

/** Container: image `tmplowner/kuratmpl`, a config and one layer, tagged `v9.8.7`; linked through its source label. */
async function publishContainer(base, token) {
  const { owner, name, version } = tokens;
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2026-01-02T03:04:05Z',
    config: { Labels: { 'org.opencontainers.image.source': repositoryUrl, 'org.opencontainers.image.description': `The ${name} image`, 'org.opencontainers.image.licenses': 'MIT' } },
    rootfs: { type: 'layers', diff_ids: [] },
  }));
  const layer = gzipSync(tarOf({ [`opt/${name}/run.sh`]: Buffer.from(`#!/bin/sh\necho ${name}\n${'# padding\n'.repeat(300)}`) }, npmMtime));
  const auth = { authorization: `Basic ${Buffer.from(`${owner}:${token}`).toString('base64')}` };
  for (const blob of [config, layer]) {
    const response = await fetch(`${base}/v2/${owner}/${name}/blobs/uploads/?digest=sha256:${sha('sha256', blob)}`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: blob,
    });
    await expect(response, [201], 'container blob push');
  }
  const manifest = containerManifest(config, layer, 0);
  const response = await fetch(`${base}/v2/${owner}/${name}/manifests/v${version}`, {
    method: 'PUT', headers: { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest,
  });
  await expect(response, [201], 'container manifest push');
  return { config, layer };
}

/**
 * Publishes one template package per format to the server at `base` as `tmplowner` (who must
 * exist, with the public repository tmplowner/tmplrepo and a write token). Returns what the
 * generator needs beyond the rows: the container image's config and layer bytes.
 */
export async function publishTemplates(base, token) {
  await publishNpm(base, token);
  await publishMaven(base, token);
  await publishGem(base, token);
  await publishNuget(base, token);
  return { container: await publishContainer(base, token) };
}
