import type { PresentInput, VersionPresentation } from '../contract.js';

/** Maven and Gradle (Groovy and Kotlin) dependency snippets and the repository to add. */
export function presentMavenVersion({ pkg, version, metadata, baseUrl }: PresentInput): VersionPresentation {
  const [groupId, artifactId] = pkg.name.split(':') as [string, string];
  const repositoryUrl = pkg.repo ? `${baseUrl}/maven/${pkg.repo.fullName}/` : `${baseUrl}/maven/${pkg.ownerLogin}/`;
  const coordinates = `${groupId}:${artifactId}:${version.version}`;
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
    details: [],
    facts: {
      packaging: metadata['packaging'] ?? 'jar',
      url: metadata['url'] ?? null,
      licenses: metadata['licenses'] ?? [],
      scm: metadata['scm'] ?? null,
      dependencies: metadata['dependencies'] ?? [],
    },
  };
}
