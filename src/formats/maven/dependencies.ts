import type { DeclaredDependency } from '../../core/packages/dependency.js';
import type { PomDependency } from './pom.js';

/**
 * The dependencies a POM declares, as `groupId:artifactId` with the declared version (a bare
 * version is what Maven resolves to, a bracketed one a range). Versions and group ids that use a
 * property other than the project's own coordinates, or that come from dependency management
 * (no version), cannot be known here and are left out.
 */
export function mavenDependencies(metadata: Record<string, unknown>, version: string): DeclaredDependency[] {
  const declared = Array.isArray(metadata['dependencies']) ? (metadata['dependencies'] as PomDependency[]) : [];
  const groupId = typeof metadata['groupId'] === 'string' ? metadata['groupId'] : null;
  const resolve = (text: string | null) => (typeof text === 'string' ? resolveProjectCoordinates(text, { groupId, version }) : null);
  const result: DeclaredDependency[] = [];
  for (const d of declared) {
    const dependencyGroup = resolve(d.groupId);
    const dependencyVersion = resolve(d.version);
    if (!dependencyGroup || !d.artifactId || !dependencyVersion || /\$\{/.test(`${dependencyGroup}${d.artifactId}${dependencyVersion}`)) continue;
    const scope = d.scope === 'test' || d.scope === 'provided' ? 'development' : d.optional ? 'optional' : 'runtime';
    result.push({ name: `${dependencyGroup}:${d.artifactId}`, range: dependencyVersion, scope });
  }
  return result;
}

/**
 * `text` with the project's own version and groupId filled in where it names them
 * (`${project.version}`, `${pom.groupId}`, `${version}`…); other properties stay as written.
 */
export function resolveProjectCoordinates(text: string, project: { groupId: string | null; version: string }): string {
  return text
    .replace(/\$\{(?:project\.|pom\.)?version\}/g, project.version)
    .replace(/\$\{(?:project\.|pom\.)?groupId\}/g, project.groupId ?? '${groupId}');
}
