import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import yazl from 'yazl';
import { KuraError, type ErrorCode } from '../../core/errors/catalogue.js';
import { bufferSource, defaultNupkgLimits, readNupkg, type Nuspec, type NupkgLimits, type RandomAccessSource } from './nupkg.js';

interface TestEntry {
  name: string;
  data: string | Buffer;
  compress?: boolean;
}

/** Builds a zip in memory with yazl. */
async function zip(entries: TestEntry[]): Promise<Buffer> {
  const file = new yazl.ZipFile();
  for (const entry of entries) file.addBuffer(Buffer.from(entry.data), entry.name, { compress: entry.compress ?? true });
  file.end();
  const chunks: Buffer[] = [];
  for await (const chunk of file.outputStream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Replaces every occurrence of a placeholder entry name (in local and central headers) by a same-length name yazl would refuse. */
function rename(bytes: Buffer, placeholder: string, name: string): Buffer {
  const from = Buffer.from(placeholder, 'latin1');
  const to = Buffer.from(name, 'latin1');
  assert.equal(from.length, to.length);
  const out = Buffer.from(bytes);
  let replaced = 0;
  for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + 1), replaced++) to.copy(out, at);
  assert.equal(replaced, 2);
  return out;
}

/** Overwrites the uncompressed size a central directory header declares for `name`. */
function declareUncompressedSize(bytes: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(bytes);
  const nameBytes = Buffer.from(name);
  for (let at = out.indexOf('PK\x01\x02', 0, 'latin1'); at >= 0; at = out.indexOf('PK\x01\x02', at + 1, 'latin1')) {
    if (out.subarray(at + 46, at + 46 + nameBytes.length).equals(nameBytes)) {
      out.writeUInt32LE(size, at + 24);
      return out;
    }
  }
  throw new Error(`no central header for ${name}`);
}

function nuspecXml(metadata: string, root = 'package', xmlns = 'http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd'): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root} xmlns="${xmlns}">\n<metadata>${metadata}</metadata>\n</${root}>\n`;
}

const minimalMetadata = '<id>Tiny</id><version>1.0.0</version><authors>me</authors><description>d</description>';
const minimalNuspec = nuspecXml(minimalMetadata);

function withNuspec(nuspec: string | Buffer, ...rest: TestEntry[]): Promise<Buffer> {
  return zip([{ name: 'Tiny.nuspec', data: nuspec }, ...rest]);
}

function read(bytes: Buffer, limits?: NupkgLimits) {
  return readNupkg(bufferSource(bytes), limits);
}

const refused = (code: ErrorCode, message?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof KuraError, `expected a KuraError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  if (message) assert.match(error.message, message);
  return true;
};

/** A source that records every read. */
function countingSource(bytes: Buffer): { source: RandomAccessSource; reads: Array<{ position: number; length: number }> } {
  const inner = bufferSource(bytes);
  const reads: Array<{ position: number; length: number }> = [];
  return {
    reads,
    source: {
      size: inner.size,
      read(buffer, offset, length, position) {
        reads.push({ position, length });
        return inner.read(buffer, offset, length, position);
      },
    },
  };
}

const fullNuspec = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata minClientVersion="5.0.0">
    <id>Contoso.Widget</id>
    <version>01.2.0-Beta.1+build.7</version>
    <title>Contoso Widget</title>
    <authors>Ada Lovelace, Grace Hopper</authors>
    <owners>contoso</owners>
    <requireLicenseAcceptance>true</requireLicenseAcceptance>
    <license type="expression">MIT OR Apache-2.0</license>
    <projectUrl>https://example.com/widget</projectUrl>
    <iconUrl>https://example.com/icon.png</iconUrl>
    <description>  Widgets &amp; gadgets. </description>
    <summary>Widgets</summary>
    <releaseNotes><![CDATA[Fixed <everything>.]]></releaseNotes>
    <tags>widget  gadget contoso</tags>
    <readme>docs/README.md</readme>
    <repository type="git" url="https://github.com/contoso/widget.git" branch="main" commit="abc123" />
    <packageTypes><packageType name="Dependency" /><packageType name="DotnetTool" version="1.0" /></packageTypes>
    <dependencies>
      <group targetFramework="net6.0"><dependency id="Gadget" version="[1.0.0, )" exclude="Build,Analyzers" /></group>
      <group targetFramework=".NETStandard2.0"><dependency id="Gizmo" /><dependency id="Sprocket" version="2.0.0" /></group>
      <group />
    </dependencies>
  </metadata>
  <files><file src="bin/**" target="lib" /></files>
</package>
`;

const fullPackageEntries: TestEntry[] = [
  { name: '_rels/.rels', data: '<Relationships/>' },
  { name: 'Contoso.Widget.nuspec', data: fullNuspec },
  { name: 'lib/net6.0/Contoso.Widget.dll', data: randomBytes(4096) },
  { name: 'docs/README.md', data: '\uFEFF# Widget\n\nUse it.\n' },
  { name: '[Content_Types].xml', data: '<Types/>' },
  { name: 'package/services/metadata/core-properties/0123.psmdcp', data: '<coreProperties/>' },
];

describe('reading a nupkg', () => {
  it('reads every field of a full nuspec and the readme it names', async () => {
    const contents = await read(await zip(fullPackageEntries));
    const expected: Nuspec = {
      id: 'Contoso.Widget',
      version: '1.2.0-Beta.1',
      fullVersion: '1.2.0-Beta.1+build.7',
      title: 'Contoso Widget',
      description: 'Widgets & gadgets.',
      summary: 'Widgets',
      authors: ['Ada Lovelace', 'Grace Hopper'],
      owners: ['contoso'],
      tags: ['widget', 'gadget', 'contoso'],
      projectUrl: 'https://example.com/widget',
      iconUrl: 'https://example.com/icon.png',
      license: { type: 'expression', value: 'MIT OR Apache-2.0' },
      licenseUrl: null,
      repositoryUrl: 'https://github.com/contoso/widget.git',
      requireLicenseAcceptance: true,
      releaseNotes: 'Fixed <everything>.',
      readme: 'docs/README.md',
      dependencyGroups: [
        { targetFramework: 'net6.0', dependencies: [{ id: 'Gadget', range: '[1.0.0, )' }] },
        { targetFramework: '.NETStandard2.0', dependencies: [{ id: 'Gizmo', range: null }, { id: 'Sprocket', range: '2.0.0' }] },
        { targetFramework: null, dependencies: [] },
      ],
      packageTypes: ['Dependency', 'DotnetTool'],
      minClientVersion: '5.0.0',
    };
    assert.deepEqual(contents.nuspec, expected);
    assert.equal(contents.readme, '# Widget\n\nUse it.\n');
    assert.equal(contents.nuspecXml.toString('utf8'), fullNuspec);
    assert.equal(contents.entryCount, fullPackageEntries.length);
    assert.equal(contents.uncompressedBytes, fullPackageEntries.reduce((sum, e) => sum + Buffer.byteLength(e.data), 0));
  });

  it('reads a minimal nuspec, flat dependencies, a license file and older or prefixed namespaces', async () => {
    const metadata = `${minimalMetadata}<license type="file">LICENSE.txt</license><licenseUrl>https://aka.ms/deprecateLicenseUrl</licenseUrl>
      <requireLicenseAcceptance>false</requireLicenseAcceptance><tags>a,b;c</tags>
      <dependencies><dependency id="Flat" version="1.0" /><dependency id="Other" /></dependencies>`;
    const { nuspec, readme } = await read(await withNuspec(nuspecXml(metadata, 'package', 'http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd')));
    assert.deepEqual(nuspec, {
      id: 'Tiny', version: '1.0.0', fullVersion: '1.0.0', title: null, description: 'd', summary: null, authors: ['me'], owners: [], tags: ['a', 'b', 'c'],
      projectUrl: null, iconUrl: null, license: { type: 'file', value: 'LICENSE.txt' }, licenseUrl: 'https://aka.ms/deprecateLicenseUrl', repositoryUrl: null,
      requireLicenseAcceptance: false, releaseNotes: null, readme: null,
      dependencyGroups: [{ targetFramework: null, dependencies: [{ id: 'Flat', range: '1.0' }, { id: 'Other', range: null }] }],
      packageTypes: ['Dependency'], minClientVersion: null,
    } satisfies Nuspec);
    assert.equal(readme, null);

    const prefixed = '<?xml version="1.0"?><nu:package xmlns:nu="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd"><nu:metadata><nu:id>Pre.Fixed</nu:id><nu:version>2.0</nu:version></nu:metadata></nu:package>';
    const parsed = (await read(await withNuspec(prefixed))).nuspec;
    assert.equal(parsed.id, 'Pre.Fixed');
    assert.equal(parsed.version, '2.0.0');
    assert.deepEqual(parsed.dependencyGroups, []);

    const noNamespace = '<package><metadata><id>Plain</id><version>3.0.0.0</version></metadata></package>';
    assert.equal((await read(await withNuspec(noNamespace))).nuspec.version, '3.0.0');
  });

  it('reads a UTF-16 nuspec', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(minimalNuspec.replace('utf-8', 'utf-16'), 'utf16le')]);
    assert.equal((await read(await withNuspec(utf16))).nuspec.id, 'Tiny');
  });

  it('finds the readme however the nuspec spells its path, and tolerates it missing', async () => {
    const named = (path: string) => nuspecXml(`${minimalMetadata}<readme>${path}</readme>`);
    const readme = { name: 'docs/ReadMe.md', data: 'hello' };
    assert.equal((await read(await withNuspec(named('docs\\ReadMe.md'), readme))).readme, 'hello');
    assert.equal((await read(await withNuspec(named('./docs/readme.MD'), readme))).readme, 'hello');
    assert.equal((await read(await withNuspec(named('my readme.md'), { name: 'my%20readme.md', data: 'encoded' }))).readme, 'encoded');
    const missing = await read(await withNuspec(named('README.md')));
    assert.equal(missing.nuspec.readme, 'README.md');
    assert.equal(missing.readme, null);
  });

  it('refuses what is not a zip archive', async () => {
    await assert.rejects(read(randomBytes(10_000)), refused('INVALID_ARCHIVE', /not a valid zip archive/));
    await assert.rejects(read(Buffer.alloc(0)), refused('INVALID_ARCHIVE'));
    const good = await withNuspec(minimalNuspec);
    await assert.rejects(read(good.subarray(0, good.length - 10)), refused('INVALID_ARCHIVE'));
    await assert.rejects(read(good.subarray(40)), refused('INVALID_ARCHIVE'));
  });

  it('needs exactly one .nuspec at the root', async () => {
    await assert.rejects(read(await zip([])), refused('INVALID_MANIFEST', /no \.nuspec/));
    await assert.rejects(read(await zip([{ name: 'readme.txt', data: 'x' }])), refused('INVALID_MANIFEST', /no \.nuspec/));
    await assert.rejects(read(await zip([{ name: 'sub/Tiny.nuspec', data: minimalNuspec }])), refused('INVALID_MANIFEST', /no \.nuspec/));
    const two = await zip([{ name: 'Tiny.nuspec', data: minimalNuspec }, { name: 'Other.NUSPEC', data: minimalNuspec }]);
    await assert.rejects(read(two), refused('INVALID_MANIFEST', /more than one \.nuspec/));
    const withNested = await zip([{ name: 'Tiny.nuspec', data: minimalNuspec }, { name: 'content/Sample.nuspec', data: 'not xml' }]);
    assert.equal((await read(withNested)).nuspec.id, 'Tiny');
  });

  it('refuses DTDs, entities and malformed or misshapen XML', async () => {
    const doctype = `<?xml version="1.0"?><!DOCTYPE package [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><package><metadata><id>&lol2;</id><version>1.0</version></metadata></package>`;
    await assert.rejects(read(await withNuspec(doctype)), refused('INVALID_MANIFEST', /DOCTYPE/));
    const external = '<?xml version="1.0"?><!DOCTYPE package SYSTEM "http://example.com/x.dtd"><package/>';
    await assert.rejects(read(await withNuspec(external)), refused('INVALID_MANIFEST', /DOCTYPE/));
    await assert.rejects(read(await withNuspec(nuspecXml('<id>&xxe;</id><version>1.0</version>'))), refused('INVALID_MANIFEST', /not well-formed/));
    await assert.rejects(read(await withNuspec('<package><metadata><id>Tiny</id></metadata>')), refused('INVALID_MANIFEST', /not well-formed/));
    await assert.rejects(read(await withNuspec('<package><metadata><id>Tiny</version></metadata></package>')), refused('INVALID_MANIFEST', /not well-formed/));
    await assert.rejects(read(await withNuspec('')), refused('INVALID_MANIFEST'));
    await assert.rejects(read(await withNuspec(nuspecXml(minimalMetadata, 'project'))), refused('INVALID_MANIFEST', /not <package>/));
    await assert.rejects(read(await withNuspec('<package><files/></package>')), refused('INVALID_MANIFEST', /no <metadata>/));
  });

  it('needs a valid id and version', async () => {
    await assert.rejects(read(await withNuspec(nuspecXml('<version>1.0</version>'))), refused('INVALID_MANIFEST', /no <id>/));
    await assert.rejects(read(await withNuspec(nuspecXml('<id>Tiny</id><version> </version>'))), refused('INVALID_MANIFEST', /no <version>/));
    await assert.rejects(read(await withNuspec(nuspecXml('<id>../evil</id><version>1.0</version>'))), refused('INVALID_NAME'));
    await assert.rejects(read(await withNuspec(nuspecXml('<id>a..b</id><version>1.0</version>'))), refused('INVALID_NAME', /"\.\."/));
    await assert.rejects(read(await withNuspec(nuspecXml('<id>Tiny</id><version>v1.0</version>'))), refused('INVALID_VERSION'));
    await assert.rejects(read(await withNuspec(nuspecXml('<id>Tiny</id><version>1.2.3.4.5</version>'))), refused('INVALID_VERSION'));
  });

  it('refuses inconsistent metadata', async () => {
    const bad = async (metadata: string, message: RegExp) => assert.rejects(read(await withNuspec(nuspecXml(`${minimalMetadata}${metadata}`))), refused('INVALID_MANIFEST', message));
    await bad('<license type="url">http://x</license>', /<license> has type "url"/);
    await bad('<license type="expression"> </license>', /<license> is empty/);
    await bad('<dependencies><dependency version="1.0" /></dependencies>', /<dependency> .* has no id/);
    await bad('<dependencies><group><dependency id="../up" /></group></dependencies>', /invalid id/);
    await bad('<packageTypes><packageType /></packageTypes>', /<packageType> .* has no name/);
  });

  it('refuses unsafe entry names', async () => {
    const cases: Array<[string, RegExp]> = [
      ['../x.txt', /relative path|".." segment/],
      ['/abs.txt', /absolute path/],
      ['C:\\x', /absolute path|drive letter/],
      ['a\\..\\..\\x', /relative path|".." segment/],
      ['%2E%2E/x.txt', /".." segment/],
      ['%2Fetc/passwd', /absolute path/],
      ['a\0b.txt', /NUL/],
    ];
    for (const [name, message] of cases) {
      const placeholder = 'Q'.repeat(Buffer.byteLength(name, 'latin1'));
      const bytes = rename(await withNuspec(minimalNuspec, { name: placeholder, data: 'x' }), placeholder, name);
      await assert.rejects(read(bytes), refused('INVALID_ARCHIVE', message), JSON.stringify(name));
    }
    await assert.rejects(read(await withNuspec(minimalNuspec, { name: 'lib/%2E%2E%2F%2E%2E%2Fx', data: 'x' })), refused('INVALID_ARCHIVE', /".." segment/));
  });

  it('refuses duplicate entries', async () => {
    const bytes = await withNuspec(minimalNuspec, { name: 'lib/a.dll', data: 'one' }, { name: 'lib/a.dll', data: 'two' });
    await assert.rejects(read(bytes), refused('INVALID_ARCHIVE', /twice/));
  });

  it('refuses a zip bomb by its ratio without reading, let alone inflating, the bomb', async () => {
    const bytes = await zip([
      { name: 'lib/bomb.bin', data: Buffer.alloc(50 * 1024 * 1024) },
      { name: 'Tiny.nuspec', data: minimalNuspec },
      { name: 'lib/padding.bin', data: randomBytes(100_000), compress: false },
    ]);
    const bombCompressedAtLeast = 40_000;
    assert.ok(bytes.length < 300_000);
    const { source, reads } = countingSource(bytes);
    await assert.rejects(readNupkg(source), refused('INVALID_ARCHIVE', /lib\/bomb\.bin inflates more than 200 times/));
    assert.ok(reads.length > 0);
    for (const { position } of reads) assert.ok(position >= bombCompressedAtLeast, `read at ${position} touches the bomb's data`);
  });

  it('refuses an archive that inflates too far overall though each entry is small', async () => {
    const entries = [0, 1, 2].map((n) => ({ name: `content/zeros${n}.bin`, data: Buffer.alloc(900 * 1024) }));
    await assert.rejects(read(await withNuspec(minimalNuspec, ...entries)), refused('INVALID_ARCHIVE', /inflates to more than 200 times its size/));
    assert.equal((await read(await withNuspec(minimalNuspec, ...entries.slice(0, 1)))).entryCount, 2);
  });

  it('enforces the entry, size, nuspec and readme limits', async () => {
    const small = (overrides: Partial<NupkgLimits>): NupkgLimits => ({ ...defaultNupkgLimits, ...overrides });
    const many = Array.from({ length: 10 }, (_, n) => ({ name: `content/${n}.txt`, data: `file ${n}` }));
    const manyBytes = await withNuspec(minimalNuspec, ...many);
    await assert.rejects(read(manyBytes, small({ maxEntries: 5 })), refused('PAYLOAD_TOO_LARGE', /more than 5 entries/));
    assert.equal((await read(manyBytes, small({ maxEntries: 11 }))).entryCount, 11);
    await assert.rejects(read(manyBytes, small({ maxUncompressedBytes: 200 })), refused('PAYLOAD_TOO_LARGE', /more than 200 bytes/));
    await assert.rejects(read(manyBytes, small({ maxNuspecBytes: 100 })), refused('PAYLOAD_TOO_LARGE', /nuspec Tiny\.nuspec is larger than 100 bytes/));
    const withReadme = await withNuspec(nuspecXml(`${minimalMetadata}<readme>README.md</readme>`), { name: 'README.md', data: 'x'.repeat(1000) });
    await assert.rejects(read(withReadme, small({ maxReadmeBytes: 999 })), refused('PAYLOAD_TOO_LARGE', /readme README\.md is larger than 999 bytes/));
    assert.equal((await read(withReadme, small({ maxReadmeBytes: 1000 }))).readme?.length, 1000);
  });

  it('bounds what it inflates even when a header lies about the size', async () => {
    const lying = declareUncompressedSize(await withNuspec(minimalNuspec), 'Tiny.nuspec', 20);
    await assert.rejects(read(lying), refused('INVALID_ARCHIVE', /too many bytes/));
  });

  it('reads through a random-access source without reading big entries', async () => {
    const big = randomBytes(5 * 1024 * 1024);
    const bytes = await zip([
      { name: 'Tiny.nuspec', data: minimalNuspec },
      { name: 'lib/net6.0/Big.dll', data: big },
      { name: 'README.md', data: 'readme' },
    ]);
    const { source, reads } = countingSource(bytes);
    const contents = await readNupkg(source);
    assert.equal(contents.nuspec.id, 'Tiny');
    assert.equal(contents.uncompressedBytes, Buffer.byteLength(minimalNuspec) + big.length + 6);
    const total = reads.reduce((sum, r) => sum + r.length, 0);
    assert.ok(total < 200_000, `read ${total} bytes of ${bytes.length}`);
  });

  it('passes failures of the source itself through unchanged', async () => {
    const failure = new Error('disk on fire');
    const source: RandomAccessSource = { size: 1000, read: () => Promise.reject(failure) };
    await assert.rejects(readNupkg(source), (error) => error === failure);
    const short: RandomAccessSource = { size: 1000, read: () => Promise.resolve(0) };
    await assert.rejects(readNupkg(short), refused('INVALID_ARCHIVE'));
  });
});
