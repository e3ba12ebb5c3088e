import type { DeclaredDependency } from '../../core/packages/dependency.js';
import { requirementText } from './compact-index.js';
import type { GemSpec } from './gemspec.js';

/** The runtime and development dependencies a gemspec declares, with their requirements (`>= 1.0, < 2`). */
export function gemDependencies(metadata: Record<string, unknown>): DeclaredDependency[] {
  const spec = metadata as Partial<GemSpec>;
  return (spec.dependencies ?? []).map((d) => ({
    name: d.name,
    range: requirementText(d.requirement).replace(/&/g, ', ') || '>= 0',
    scope: d.type === 'development' ? 'development' : 'runtime',
  }));
}
