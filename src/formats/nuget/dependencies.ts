import type { DeclaredDependency } from '../../core/packages/dependency.js';
import type { Nuspec } from './nupkg.js';

/** The dependencies of every target framework a nuspec declares; one without a range accepts any version. */
export function nugetDependencies(metadata: Record<string, unknown>): DeclaredDependency[] {
  const nuspec = metadata as Partial<Nuspec>;
  return (nuspec.dependencyGroups ?? []).flatMap((group) => group.dependencies.map((d): DeclaredDependency => ({ name: d.id, range: d.range ?? '0.0.0', scope: 'runtime' })));
}
