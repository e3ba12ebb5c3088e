import semver from 'semver';
import type { DeclaredDependency, DependencyScope } from '../../core/packages/dependency.js';

const fields: ReadonlyArray<[string, DependencyScope]> = [
  ['dependencies', 'runtime'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'peer'],
  ['devDependencies', 'development'],
];

/**
 * The registry dependencies a package.json declares: semver ranges (an `npm:` alias counts as
 * its target); git, file, URL and workspace specifiers name no registry version and are left out.
 */
export function npmDependencies(metadata: Record<string, unknown>): DeclaredDependency[] {
  const result: DeclaredDependency[] = [];
  for (const [field, scope] of fields) {
    const declared = metadata[field];
    if (!declared || typeof declared !== 'object' || Array.isArray(declared)) continue;
    for (const [name, spec] of Object.entries(declared as Record<string, unknown>)) {
      if (typeof spec !== 'string') continue;
      const target = aliasTarget(name, spec);
      if (target && semver.validRange(target.range) !== null) result.push({ name: target.name, range: target.range.trim() || '*', scope });
    }
  }
  return result;
}

function aliasTarget(name: string, spec: string): { name: string; range: string } | null {
  if (!spec.startsWith('npm:')) return { name, range: spec };
  const aliased = spec.slice(4);
  const at = aliased.indexOf('@', aliased.startsWith('@') ? 1 : 0);
  return at === -1 ? { name: aliased, range: '*' } : { name: aliased.slice(0, at), range: aliased.slice(at + 1) };
}
