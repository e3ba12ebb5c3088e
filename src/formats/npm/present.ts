import type { PageDependency, PageFact, PresentInput, VersionPresentation } from '../contract.js';
import { countOf, recordOf, textOf, textsOf } from '../shared/metadata-fields.js';
import {
  addressFact, countFact, dependenciesFact, labelsFact, pageDependency, presentFacts, sizeFact, textFact,
} from '../shared/page-facts.js';
import { repositoryWebAddress, webAddress } from '../shared/web-address.js';
import { parseNpmName } from './names.js';

/** npm, yarn and pnpm commands plus the `.npmrc` line that points the scope at Kura. */
export function presentNpmVersion({ pkg, version, metadata: stored, tags, baseUrl }: PresentInput): VersionPresentation {
  const name = parseNpmName(pkg.name);
  const spec = tags.includes('latest') ? pkg.name : `${pkg.name}@${version.version}`;
  const metadata = recordOf(stored) ?? {};
  const dist = (metadata['dist'] ?? {}) as { unpackedSize?: number; fileCount?: number };
  return {
    install: [
      { client: '.npmrc', code: `@${name.scope}:registry=${baseUrl}/npm/` },
      { client: 'npm', code: `npm install ${spec}` },
      { client: 'yarn', code: `yarn add ${spec}` },
      { client: 'pnpm', code: `pnpm add ${spec}` },
    ],
    details: npmPageFacts(metadata, name.bare),
    facts: {
      dependencies: metadata['dependencies'] ?? {},
      peerDependencies: metadata['peerDependencies'] ?? {},
      engines: metadata['engines'] ?? {},
      homepage: metadata['homepage'] ?? null,
      repository: metadata['repository'] ?? null,
      unpackedSize: dist.unpackedSize ?? null,
      fileCount: dist.fileCount ?? null,
      distTags: tags,
    },
  };
}

/**
 * What a person reads about a version from its package.json document: where it lives
 * (homepage, repository, issues), what it runs on (engines, operating systems, CPUs), its size,
 * the commands it installs, what it depends on and its keywords. `bareName` names the command of
 * a `bin` given as a lone path.
 */
function npmPageFacts(doc: Record<string, unknown>, bareName: string): PageFact[] {
  const dist = recordOf(doc['dist']) ?? {};
  return presentFacts([
    addressFact('Homepage', webAddress(doc['homepage']), doc['homepage']),
    addressFact('Repository', npmRepositoryAddress(doc['repository']), repositoryText(doc['repository'])),
    issuesFact(doc['bugs']),
    enginesFact(doc['engines']),
    textFact('Operating systems', platformList(doc['os'])),
    textFact('CPU architectures', platformList(doc['cpu'])),
    sizeFact('Unpacked size', countOf(dist['unpackedSize'])),
    countFact('Files', countOf(dist['fileCount'])),
    labelsFact('Commands', commandNames(doc['bin'], bareName)),
    dependenciesFact('Dependencies', npmDependencyList(doc['dependencies'])),
    dependenciesFact('Peer dependencies', npmDependencyList(doc['peerDependencies'], optionalPeers(doc['peerDependenciesMeta']))),
    dependenciesFact('Optional dependencies', npmDependencyList(doc['optionalDependencies'])),
    labelsFact('Keywords', keywordList(doc['keywords'])),
  ]);
}

/** Shorthand hosts package.json accepts in `repository`: `github:alice/tools`. */
const shorthandHosts: Readonly<Record<string, string>> = {
  github: 'https://github.com/',
  gitlab: 'https://gitlab.com/',
  bitbucket: 'https://bitbucket.org/',
  gist: 'https://gist.github.com/',
};

/**
 * A web page for package.json's `repository` (a string or `{ type, url }`): the shorthands
 * `alice/tools`, `github:alice/tools`, `gitlab:…`, `bitbucket:…`, `gist:ID`, or any address
 * {@link repositoryWebAddress} understands; null when none follows.
 */
export function npmRepositoryAddress(repository: unknown): string | null {
  const written = repositoryText(repository);
  if (!written) return null;
  const shorthand = /^(?:([a-z]+):)?([\w.-]+(?:\/[\w.-]+)?)$/i.exec(written);
  if (shorthand) {
    const [, host = 'github', path = ''] = shorthand;
    const base = shorthandHosts[host.toLowerCase()];
    return base && (path.includes('/') || host === 'gist') ? webAddress(`${base}${path.replace(/\.git$/i, '')}`) : null;
  }
  return repositoryWebAddress(written);
}

function repositoryText(repository: unknown): string | null {
  return textOf(repository) ?? textOf(recordOf(repository)?.['url']);
}

/** `bugs` (an address, or `{ url, email }`): a link to the tracker, else the address to write to. */
function issuesFact(bugs: unknown): PageFact | null {
  const record = recordOf(bugs);
  const written = record ? textOf(record['url']) ?? textOf(record['email']) : bugs;
  return addressFact('Issues', webAddress(written), written);
}

/**
 * `engines` as `node >=18, npm >=9`, labelled "Node.js" with only the range when it names only
 * Node.js; the list of strings older packages wrote is shown as written.
 */
function enginesFact(engines: unknown): PageFact | null {
  if (Array.isArray(engines)) return textFact('Engines', textsOf(engines).join(', '));
  const entries = Object.entries(recordOf(engines) ?? {}).flatMap(([engine, range]) => {
    const text = textOf(range);
    return text ? [[engine, text] as const] : [];
  });
  if (entries.length === 1 && entries[0]![0] === 'node') return textFact('Node.js', entries[0]![1]);
  return textFact('Engines', entries.map(([engine, range]) => `${engine} ${range}`).join(', '));
}

/** `os` or `cpu` (a list, or a lone string) as `linux, darwin, !win32`. */
function platformList(value: unknown): string {
  return (typeof value === 'string' ? textsOf([value]) : textsOf(value)).join(', ');
}

/** The commands `bin` installs: its keys, or the package's bare name for a lone path. */
function commandNames(bin: unknown, bareName: string): string[] {
  if (textOf(bin)) return [bareName];
  return Object.entries(recordOf(bin) ?? {}).filter(([, path]) => textOf(path)).map(([command]) => command);
}

/** `keywords` as a list; a lone string (older packages) is split on commas and spaces. */
function keywordList(keywords: unknown): string[] {
  return typeof keywords === 'string' ? keywords.split(/[\s,]+/) : textsOf(keywords);
}

/** Names `peerDependenciesMeta` marks `optional: true`. */
function optionalPeers(meta: unknown): Set<string> {
  return new Set(Object.entries(recordOf(meta) ?? {}).filter(([, m]) => recordOf(m)?.['optional'] === true).map(([name]) => name));
}

/**
 * A dependency map (`{ name: spec }`) as listed, in its order, each spec as written (an empty
 * one is `*`); entries whose spec is not a string are left out. Names in `optional` get the
 * note "optional".
 */
function npmDependencyList(declared: unknown, optional: ReadonlySet<string> = new Set()): PageDependency[] {
  return Object.entries(recordOf(declared) ?? {}).flatMap(([name, spec]) => {
    if (typeof spec !== 'string') return [];
    const requirement = spec.trim() || '*';
    return [pageDependency(name, requirement, { note: optional.has(name) ? 'optional' : null, package: hostedPackage(name, requirement) })];
  });
}

/**
 * Where this server would host the package a dependency installs from the registry: the scope
 * is the owner. Unscoped names, and specs that name no registry version (git, file, URL,
 * `workspace:`, `github:`, `alice/tools`), have none. An `npm:` alias names its target.
 */
function hostedPackage(name: string, spec: string): PageDependency['package'] | null {
  const alias = /^npm:(@?[^@]+)(?:@.*)?$/.exec(spec);
  if (!alias && /[:/]/.test(spec)) return null;
  try {
    const target = parseNpmName(alias ? alias[1]! : name);
    return { owner: target.scope.toLowerCase(), name: target.full.toLowerCase() };
  } catch {
    return null;
  }
}
