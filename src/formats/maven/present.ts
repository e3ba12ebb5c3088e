import type { PageDependency, PageFact, PresentInput, VersionPresentation } from '../contract.js';
import { recordOf, recordsOf, textOf } from '../shared/metadata-fields.js';
import { addressFact, dependenciesFact, pageDependency, presentFacts, textFact } from '../shared/page-facts.js';
import { repositoryWebAddress, webAddress } from '../shared/web-address.js';
import { mavenNameKey, parseMavenPackageName } from './coordinates.js';
import { resolveProjectCoordinates } from './dependencies.js';

/** Maven and Gradle (Groovy and Kotlin) dependency snippets and the repository to add. */
export function presentMavenVersion({ pkg, version, metadata: stored, baseUrl }: PresentInput): VersionPresentation {
  const [groupId, artifactId] = pkg.name.split(':') as [string, string];
  const repositoryUrl = pkg.repo ? `${baseUrl}/maven/${pkg.repo.fullName}/` : `${baseUrl}/maven/${pkg.ownerLogin}/`;
  const coordinates = `${groupId}:${artifactId}:${version.version}`;
  const metadata = recordOf(stored) ?? {};
  return {
    install: [
      {
        client: 'Maven',
        code: [
          '<repository>',
          '  <id>kura</id>',
          `  <url>${repositoryUrl}</url>`,
          '</repository>',
          '',
          '<dependency>',
          `  <groupId>${groupId}</groupId>`,
          `  <artifactId>${artifactId}</artifactId>`,
          `  <version>${version.version}</version>`,
          '</dependency>',
        ].join('\n'),
      },
      { client: 'Gradle (Groovy)', code: `repositories {\n  maven { url '${repositoryUrl}' }\n}\ndependencies {\n  implementation '${coordinates}'\n}` },
      { client: 'Gradle (Kotlin)', code: `repositories {\n  maven { url = uri("${repositoryUrl}") }\n}\ndependencies {\n  implementation("${coordinates}")\n}` },
    ],
    details: pomPageFacts(metadata, { groupId, artifactId, version: version.version, ownerLogin: pkg.ownerLogin }),
    facts: {
      packaging: metadata['packaging'] ?? 'jar',
      url: metadata['url'] ?? null,
      licenses: metadata['licenses'] ?? [],
      scm: metadata['scm'] ?? null,
      dependencies: metadata['dependencies'] ?? [],
    },
  };
}

/** The version a page shows: its coordinates and the owner whose repositories resolve its dependencies. */
interface PomSubject {
  groupId: string;
  artifactId: string;
  version: string;
  ownerLogin: string;
}

/**
 * What a person reads about a version from its POM (as {@link readPom} stored it): coordinates
 * and packaging, homepage, source repository, licenses, the parent POM and the dependencies
 * with their scopes. Versions deployed without a POM show only their coordinates.
 */
function pomPageFacts(pom: Record<string, unknown>, subject: PomSubject): PageFact[] {
  const scm = recordOf(pom['scm']) ?? {};
  const scmWritten = textOf(scm['url']) ?? textOf(scm['connection']) ?? textOf(scm['developerConnection']);
  const scmAddress = [scm['url'], scm['connection'], scm['developerConnection']].map(repositoryWebAddress).find(Boolean) ?? null;
  const parent = recordOf(pom['parent']);
  return presentFacts([
    textFact('Group ID', subject.groupId),
    textFact('Artifact ID', subject.artifactId),
    textFact('Packaging', pom['packaging']),
    addressFact('Homepage', webAddress(pom['url']), pom['url']),
    addressFact('Repository', scmAddress, scmWritten),
    textFact('Licenses', licenseNames(pom['licenses'])),
    dependenciesFact('Parent', parent ? [pomDependency(parent, subject, null)] : []),
    dependenciesFact('Dependencies', recordsOf(pom['dependencies']).map((d) => pomDependency(d, subject, scopeNote(d)))),
  ]);
}

/** Each license's name (or its address when it has none), separated by semicolons: names often hold commas. */
function licenseNames(licenses: unknown): string {
  return recordsOf(licenses).map((l) => textOf(l['name']) ?? textOf(l['url'])).filter(Boolean).join('; ');
}

/** The scope (`compile` when the POM names none), and `optional` for optional dependencies. */
function scopeNote(dependency: Record<string, unknown>): string {
  const scope = textOf(dependency['scope']) ?? 'compile';
  return dependency['optional'] === true ? `${scope}, optional` : scope;
}

/**
 * A `<dependency>` or `<parent>` as `groupId:artifactId` with its version, the project's own
 * `${project.version}` and `${project.groupId}` filled in (a version from dependency management
 * is empty). Where the coordinates are known, the package is the owner's: its Maven URLs resolve
 * across the owner's repositories.
 */
function pomDependency(declared: Record<string, unknown>, subject: PomSubject, note: string | null): PageDependency {
  const resolve = (value: unknown) => {
    const text = textOf(value);
    return text ? resolveProjectCoordinates(text, subject) : null;
  };
  const groupId = resolve(declared['groupId']) ?? '?';
  const artifactId = resolve(declared['artifactId']) ?? '?';
  const coordinates = parseMavenPackageName(`${groupId}:${artifactId}`);
  return pageDependency(`${groupId}:${artifactId}`, resolve(declared['version']) ?? '', {
    note,
    package: coordinates ? { owner: subject.ownerLogin, name: mavenNameKey(coordinates) } : null,
  });
}
