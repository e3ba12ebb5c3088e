import { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { KuraError } from '../../core/errors/catalogue.js';
import { XmlTreeReader, type XmlElement } from '../shared/xml-tree-reader.js';
import { fullNuGetVersion, normalizeNuGetVersion } from './nuget-version.js';
import { parsePackageId } from './package-id.js';

/** One dependency of a package. */
export interface NuGetDependency {
  id: string;
  /** The version range as written, e.g. "[1.0.0, )"; null when the nuspec gives none. */
  range: string | null;
}

/** The dependencies that apply to one target framework (null: any framework). */
export interface NuGetDependencyGroup {
  targetFramework: string | null;
  dependencies: NuGetDependency[];
}

/** What Kura keeps of a package's .nuspec. Strings are trimmed; empty ones become null. */
export interface Nuspec {
  id: string;
  /** The version normalized with {@link normalizeNuGetVersion} (no build metadata). */
  version: string;
  /** The normalized version with its build metadata, if any. */
  fullVersion: string;
  title: string | null;
  description: string | null;
  summary: string | null;
  /** `<authors>`, split on commas. */
  authors: string[];
  /** `<owners>`, split on commas. */
  owners: string[];
  /** `<tags>`, split on spaces (and on commas and semicolons, as nuget.org does). */
  tags: string[];
  projectUrl: string | null;
  iconUrl: string | null;
  license: { type: 'expression' | 'file'; value: string } | null;
  licenseUrl: string | null;
  /** The `url` attribute of `<repository>`. */
  repositoryUrl: string | null;
  requireLicenseAcceptance: boolean;
  releaseNotes: string | null;
  /** The path the nuspec's `<readme>` names, if any. */
  readme: string | null;
  /** `<group>`s in order; flat `<dependencies><dependency/>` become one group with targetFramework null. */
  dependencyGroups: NuGetDependencyGroup[];
  /** `<packageTypes><packageType name=…/>` names; ["Dependency"] when there are none. */
  packageTypes: string[];
  /** The `minClientVersion` attribute of `<metadata>`. */
  minClientVersion: string | null;
}

/** Something to read bytes from at an offset (the blob store's handle has this shape). */
export interface RandomAccessSource {
  size: number;
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; resolves how many were read (0 at the end). */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
}

/** Bounds that keep a hostile package cheap to refuse. */
export interface NupkgLimits {
  maxEntries: number;
  /** Total of the entries' declared uncompressed sizes. */
  maxUncompressedBytes: number;
  /** Uncompressed to compressed size, per entry and for the whole archive (see {@link ratioGraceBytes}). */
  maxRatio: number;
  maxNuspecBytes: number;
  maxReadmeBytes: number;
}

export const defaultNupkgLimits: NupkgLimits = {
  maxEntries: 20_000,
  maxUncompressedBytes: 2 * 1024 ** 3,
  maxRatio: 200,
  maxNuspecBytes: 1024 ** 2,
  maxReadmeBytes: 1024 ** 2,
};

/**
 * Entries (and archives) that inflate to no more than this are not held to the ratio limit: a
 * small file of zeros compresses far beyond any sensible ratio and harms no one.
 */
export const ratioGraceBytes = 1024 ** 2;

/** What {@link readNupkg} found in a package. */
export interface NupkgContents {
  nuspec: Nuspec;
  /** The .nuspec entry's inflated bytes, exactly as in the package. */
  nuspecXml: Buffer;
  /** The README the nuspec names, decoded as UTF-8; null when it names none or the package lacks it. */
  readme: string | null;
  entryCount: number;
  /** Sum of the entries' declared uncompressed sizes. */
  uncompressedBytes: number;
}

/** Bounds for the nuspec's element tree; real nuspecs are far smaller. */
const nuspecXmlShape = { maxDepth: 32, maxElements: 100_000 };
const streamChunkBytes = 64 * 1024;

/**
 * Reads a .nupkg (a zip) through `source` without unpacking it.
 *
 * First the central directory is walked, and every entry is checked from its header alone: the
 * entry count, the name (no absolute paths, drive letters, `..` segments or NUL, also after
 * turning backslashes into slashes and after percent-decoding, as NuGet clients do when
 * extracting), the compression method (stored or deflate, not encrypted), the declared sizes
 * (total against `maxUncompressedBytes`; ratio per entry and for the whole archive against
 * `maxRatio`, beyond {@link ratioGraceBytes}; compressed sizes that add up to more than the file
 * are overlapping entries) and duplicate names. Nothing has been inflated at that point, so a zip
 * bomb costs only its central directory.
 *
 * Then exactly one `.nuspec` must sit at the root; only it and the README it names are inflated,
 * each refused unless its declared size is within its limit, and counted again while streaming
 * (yauzl's validateEntrySizes also refuses a stream that yields more or fewer bytes than its header
 * declares). Every other entry is never inflated nor read: its declared sizes are all Kura relies
 * on, and a header that lies about an entry Kura never inflates costs Kura nothing.
 *
 * The nuspec's `<package><metadata>` is parsed namespace-agnostically (any xmlns, any prefix), with
 * no DTDs or entities; its id and version must be valid.
 *
 * Failures reading `source` itself are rethrown unchanged (they are not the package's fault).
 * @throws KuraError INVALID_ARCHIVE, INVALID_MANIFEST, INVALID_NAME, INVALID_VERSION, PAYLOAD_TOO_LARGE
 */
export async function readNupkg(source: RandomAccessSource, limits: NupkgLimits = defaultNupkgLimits): Promise<NupkgContents> {
  const zip = await openZip(source);
  try {
    if (zip.entryCount > limits.maxEntries) throw tooManyEntries(limits);
    const inventory = new Inventory(limits, source.size);
    await scanEntries(zip, (entry) => inventory.add(entry));
    const nuspecEntry = inventory.theNuspec();
    const nuspecXml = await inflate(zip, nuspecEntry, limits.maxNuspecBytes, `the nuspec ${nuspecEntry.fileName}`);
    const nuspec = parseNuspec(parseXml(nuspecXml, limits.maxNuspecBytes));
    const readmeEntry = nuspec.readme === null ? undefined : inventory.find(nuspec.readme);
    const readme = readmeEntry ? await inflateText(zip, readmeEntry, limits.maxReadmeBytes) : null;
    return { nuspec, nuspecXml, readme, entryCount: inventory.entryCount, uncompressedBytes: inventory.uncompressedBytes };
  } finally {
    zip.close();
  }
}

/** A {@link RandomAccessSource} over an in-memory Buffer (tests, small packages). */
export function bufferSource(buffer: Buffer): RandomAccessSource {
  return {
    size: buffer.length,
    read(target, offset, length, position) {
      if (position >= buffer.length) return Promise.resolve(0);
      return Promise.resolve(buffer.copy(target, offset, position, Math.min(position + length, buffer.length)));
    },
  };
}

/** Wraps a failure of the source itself, so it passes through yauzl and is rethrown unchanged. */
class SourceFailure extends Error {
  constructor(readonly failure: unknown) {
    super('the package could not be read');
  }
}

/** yauzl's view of a {@link RandomAccessSource}. */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly source: RandomAccessSource) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null, bytesRead?: number) => void): void {
    readFully(this.source, buffer, offset, length, position).then(
      (bytesRead) => callback(null, bytesRead),
      (error: unknown) => callback(new SourceFailure(error)),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(rangeChunks(this.source, start, end), { objectMode: false });
  }
}

/** Reads until `length` bytes are in or the source ends; resolves how many were read. */
async function readFully(source: RandomAccessSource, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const read = await source.read(buffer, offset + done, length - done, position + done);
    if (read <= 0) break;
    done += read;
  }
  return done;
}

/** The bytes from `start` to `end`, a chunk at a time. */
async function* rangeChunks(source: RandomAccessSource, start: number, end: number): AsyncGenerator<Buffer> {
  for (let position = start; position < end; ) {
    const chunk = Buffer.allocUnsafe(Math.min(streamChunkBytes, end - position));
    let read: number;
    try {
      read = await readFully(source, chunk, 0, chunk.length, position);
    } catch (error) {
      throw new SourceFailure(error);
    }
    if (read === 0) throw new Error('unexpected end of the package');
    position += read;
    yield chunk.subarray(0, read);
  }
}

/** Maps a failure to what readNupkg throws: KuraErrors and source failures as they are, anything from yauzl as INVALID_ARCHIVE. */
function archiveFailure(error: unknown): unknown {
  if (error instanceof KuraError) return error;
  if (error instanceof SourceFailure) return error.failure;
  const message = error instanceof Error ? error.message : String(error);
  return new KuraError('INVALID_ARCHIVE', `the package is not a valid zip archive: ${message}`);
}

function openZip(source: RandomAccessSource): Promise<ZipFile> {
  const options = { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true, strictFileNames: false };
  return new Promise((resolve, reject) => {
    try {
      yauzl.fromRandomAccessReader(new SourceReader(source), source.size, options, (error, zip) => {
        if (error) reject(archiveFailure(error));
        else resolve(zip);
      });
    } catch (error) {
      reject(archiveFailure(error));
    }
  });
}

/** Walks the central directory, calling `visit` on each entry; stops at the first failure. */
function scanEntries(zip: ZipFile, visit: (entry: Entry) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onError = (error: unknown) => {
      stop();
      reject(archiveFailure(error));
    };
    const onEnd = () => {
      stop();
      resolve();
    };
    const onEntry = (entry: Entry) => {
      try {
        visit(entry);
      } catch (error) {
        onError(error);
        return;
      }
      zip.readEntry();
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function tooManyEntries(limits: NupkgLimits): KuraError {
  return new KuraError('PAYLOAD_TOO_LARGE', `the package has more than ${limits.maxEntries} entries`);
}

function unsafeName(name: string, why: string): KuraError {
  return new KuraError('INVALID_ARCHIVE', `the package holds an entry with an unsafe name (${why}): ${JSON.stringify(name)}`);
}

/** What a NuGet client makes of an entry name when extracting: OPC part names are percent-encoded. */
function decodedName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** Refuses a name that is, or once backslashes become slashes is, absolute or climbs out with `..`. */
function checkPath(name: string, shown: string): void {
  if (name.includes('\0')) throw unsafeName(shown, 'NUL');
  const path = name.replace(/\\/g, '/');
  if (path.startsWith('/')) throw unsafeName(shown, 'absolute path');
  if (/^[A-Za-z]:/.test(path)) throw unsafeName(shown, 'drive letter');
  if (path.split('/').includes('..')) throw unsafeName(shown, '".." segment');
}

/** Checks an entry's name as stored and as percent-decoded. @throws KuraError INVALID_ARCHIVE */
function checkEntryName(name: string): void {
  if (name.length === 0) throw unsafeName(name, 'empty');
  checkPath(name, name);
  checkPath(decodedName(name), name);
}

function checkEncoding(entry: Entry): void {
  if (entry.isEncrypted()) throw new KuraError('INVALID_ARCHIVE', `the package entry ${entry.fileName} is encrypted`);
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new KuraError('INVALID_ARCHIVE', `the package entry ${entry.fileName} uses compression method ${entry.compressionMethod}; only stored and deflate are allowed`);
  }
}

function isRootNuspec(name: string): boolean {
  return !name.includes('/') && name.toLowerCase().endsWith('.nuspec');
}

/** The entries of a package, checked from their central directory headers as they are visited. */
class Inventory {
  private readonly files = new Map<string, Entry>();
  private readonly nuspecs: Entry[] = [];
  private compressedBytes = 0;
  entryCount = 0;
  uncompressedBytes = 0;

  constructor(
    private readonly limits: NupkgLimits,
    private readonly archiveSize: number,
  ) {}

  /** @throws KuraError INVALID_ARCHIVE, PAYLOAD_TOO_LARGE */
  add(entry: Entry): void {
    if (++this.entryCount > this.limits.maxEntries) throw tooManyEntries(this.limits);
    const name = entry.fileName;
    checkEntryName(name);
    checkEncoding(entry);
    this.checkSizes(entry);
    if (name.endsWith('/')) return;
    if (this.files.has(name)) throw new KuraError('INVALID_ARCHIVE', `the package holds ${name} twice`);
    this.files.set(name, entry);
    if (isRootNuspec(name)) this.nuspecs.push(entry);
  }

  /** The one .nuspec at the root. @throws KuraError INVALID_MANIFEST */
  theNuspec(): Entry {
    const [first, second] = this.nuspecs;
    if (!first) throw new KuraError('INVALID_MANIFEST', 'the package has no .nuspec at its root');
    if (second) throw new KuraError('INVALID_MANIFEST', `the package has more than one .nuspec at its root (${first.fileName}, ${second.fileName})`);
    return first;
  }

  /**
   * The entry a nuspec path names: backslashes read as slashes, a leading `./` or `/` ignored,
   * matched against names as stored or percent-decoded, exactly or else ignoring case.
   */
  find(path: string): Entry | undefined {
    const wanted = path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
    const exact = this.files.get(wanted);
    if (exact) return exact;
    const lower = wanted.toLowerCase();
    for (const [name, entry] of this.files) {
      if (name.toLowerCase() === lower || decodedName(name).toLowerCase() === lower) return entry;
    }
    return undefined;
  }

  private checkSizes(entry: Entry): void {
    const { limits } = this;
    if (entry.uncompressedSize > ratioGraceBytes && entry.uncompressedSize > limits.maxRatio * entry.compressedSize) {
      throw new KuraError('INVALID_ARCHIVE', `the package entry ${entry.fileName} inflates more than ${limits.maxRatio} times its compressed size; refusing a likely zip bomb`);
    }
    this.uncompressedBytes += entry.uncompressedSize;
    if (this.uncompressedBytes > limits.maxUncompressedBytes) {
      throw new KuraError('PAYLOAD_TOO_LARGE', `the package inflates to more than ${limits.maxUncompressedBytes} bytes`);
    }
    if (this.uncompressedBytes > ratioGraceBytes && this.uncompressedBytes > limits.maxRatio * this.archiveSize) {
      throw new KuraError('INVALID_ARCHIVE', `the package inflates to more than ${limits.maxRatio} times its size; refusing a likely zip bomb`);
    }
    this.compressedBytes += entry.compressedSize;
    if (this.compressedBytes > this.archiveSize) {
      throw new KuraError('INVALID_ARCHIVE', 'the package entries claim more bytes than the file holds (overlapping entries)');
    }
  }
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) reject(archiveFailure(error));
      else resolve(stream);
    });
  });
}

/** Inflates one entry into memory, refused unless it declares and yields at most `maxBytes`. */
async function inflate(zip: ZipFile, entry: Entry, maxBytes: number, what: string): Promise<Buffer> {
  const tooLarge = () => new KuraError('PAYLOAD_TOO_LARGE', `${what} is larger than ${maxBytes} bytes`);
  if (entry.uncompressedSize > maxBytes) throw tooLarge();
  const stream = await openEntry(zip, entry);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    throw archiveFailure(error);
  }
  return Buffer.concat(chunks, size);
}

/** Inflates a README and decodes it as UTF-8 (a byte-order mark is dropped, invalid bytes replaced). */
async function inflateText(zip: ZipFile, entry: Entry, maxBytes: number): Promise<string> {
  const bytes = await inflate(zip, entry, maxBytes, `the readme ${entry.fileName}`);
  return new TextDecoder('utf-8').decode(bytes);
}

/** UTF-8 for the XML reader: a UTF-16 nuspec (with its byte-order mark) is transcoded. */
function asUtf8(xml: Buffer): Buffer {
  if (xml[0] === 0xff && xml[1] === 0xfe) return Buffer.from(new TextDecoder('utf-16le').decode(xml), 'utf8');
  if (xml[0] === 0xfe && xml[1] === 0xff) return Buffer.from(new TextDecoder('utf-16be').decode(xml), 'utf8');
  return xml;
}

/** @throws KuraError INVALID_MANIFEST, PAYLOAD_TOO_LARGE */
function parseXml(xml: Buffer, maxBytes: number): XmlElement {
  const reader = new XmlTreeReader('the nuspec', { maxBytes, ...nuspecXmlShape });
  reader.write(asUtf8(xml));
  return reader.finish();
}

function manifest(message: string): KuraError {
  return new KuraError('INVALID_MANIFEST', message);
}

/** An element's name without its namespace prefix. */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

function element(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  return parent?.children.find((c) => localName(c.name) === name);
}

function elements(parent: XmlElement | undefined, name: string): XmlElement[] {
  return parent ? parent.children.filter((c) => localName(c.name) === name) : [];
}

function trimmed(value: string | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}

/** The trimmed text of the first child named `name`, or null when absent or empty. */
function text(parent: XmlElement, name: string): string | null {
  return trimmed(element(parent, name)?.text);
}

/** An attribute by its name, with or without a namespace prefix; trimmed, null when absent or empty. */
function attribute(el: XmlElement | undefined, name: string): string | null {
  if (!el) return null;
  const direct = el.attributes[name];
  if (direct !== undefined) return trimmed(direct);
  const key = Object.keys(el.attributes).find((k) => localName(k) === name);
  return key === undefined ? null : trimmed(el.attributes[key]);
}

function list(value: string | null, separators: RegExp): string[] {
  return value === null ? [] : value.split(separators).map((part) => part.trim()).filter((part) => part.length > 0);
}

function isLicenseType(type: string): type is 'expression' | 'file' {
  return type === 'expression' || type === 'file';
}

function parseLicense(metadata: XmlElement): Nuspec['license'] {
  const license = element(metadata, 'license');
  if (!license) return null;
  const type = (attribute(license, 'type') ?? '').toLowerCase();
  if (!isLicenseType(type)) throw manifest(`the nuspec's <license> has type "${type}"; expected "expression" or "file"`);
  const value = trimmed(license.text);
  if (value === null) throw manifest("the nuspec's <license> is empty");
  return { type, value };
}

function parseDependency(dependency: XmlElement): NuGetDependency {
  const id = attribute(dependency, 'id');
  if (id === null) throw manifest('a <dependency> in the nuspec has no id');
  try {
    parsePackageId(id);
  } catch (error) {
    throw error instanceof KuraError ? manifest(`a <dependency> in the nuspec has an invalid id: ${error.message}`) : error;
  }
  return { id, range: attribute(dependency, 'version') };
}

/** `<group>`s when there are any (NuGet then ignores flat dependencies), else the flat list as one group. */
function parseDependencyGroups(metadata: XmlElement): NuGetDependencyGroup[] {
  const dependencies = element(metadata, 'dependencies');
  const groups = elements(dependencies, 'group');
  if (groups.length > 0) {
    return groups.map((group) => ({
      targetFramework: attribute(group, 'targetFramework'),
      dependencies: elements(group, 'dependency').map(parseDependency),
    }));
  }
  const flat = elements(dependencies, 'dependency').map(parseDependency);
  return flat.length > 0 ? [{ targetFramework: null, dependencies: flat }] : [];
}

function parsePackageTypes(metadata: XmlElement): string[] {
  const types = elements(element(metadata, 'packageTypes'), 'packageType').map((type) => {
    const name = attribute(type, 'name');
    if (name === null) throw manifest('a <packageType> in the nuspec has no name');
    return name;
  });
  return types.length > 0 ? types : ['Dependency'];
}

/** The required `<id>` and `<version>`. @throws KuraError INVALID_MANIFEST, INVALID_NAME, INVALID_VERSION */
function parseIdentity(metadata: XmlElement): Pick<Nuspec, 'id' | 'version' | 'fullVersion'> {
  const id = text(metadata, 'id');
  if (id === null) throw manifest('the nuspec has no <id>');
  const version = text(metadata, 'version');
  if (version === null) throw manifest('the nuspec has no <version>');
  return { id: parsePackageId(id), version: normalizeNuGetVersion(version), fullVersion: fullNuGetVersion(version) };
}

/** Reads `<package><metadata>` into a {@link Nuspec}. */
function parseNuspec(root: XmlElement): Nuspec {
  if (localName(root.name) !== 'package') throw manifest(`the nuspec's root element is <${root.name}>, not <package>`);
  const metadata = element(root, 'metadata');
  if (!metadata) throw manifest('the nuspec has no <metadata>');
  const acceptance = text(metadata, 'requireLicenseAcceptance')?.toLowerCase();
  return {
    ...parseIdentity(metadata),
    title: text(metadata, 'title'),
    description: text(metadata, 'description'),
    summary: text(metadata, 'summary'),
    authors: list(text(metadata, 'authors'), /,/),
    owners: list(text(metadata, 'owners'), /,/),
    tags: list(text(metadata, 'tags'), /[\s,;]+/),
    projectUrl: text(metadata, 'projectUrl'),
    iconUrl: text(metadata, 'iconUrl'),
    license: parseLicense(metadata),
    licenseUrl: text(metadata, 'licenseUrl'),
    repositoryUrl: attribute(element(metadata, 'repository'), 'url'),
    requireLicenseAcceptance: acceptance === 'true' || acceptance === '1',
    releaseNotes: text(metadata, 'releaseNotes'),
    readme: text(metadata, 'readme'),
    dependencyGroups: parseDependencyGroups(metadata),
    packageTypes: parsePackageTypes(metadata),
    minClientVersion: attribute(metadata, 'minClientVersion'),
  };
}
