/** How a version depends on another package. */
export type DependencyScope = 'runtime' | 'development' | 'optional' | 'peer';

/**
 * One dependency a version declares: a package of the same format, by its name as the format
 * spells it, and the range of versions the declaration accepts in the format's own syntax.
 */
export interface DeclaredDependency {
  name: string;
  range: string;
  scope: DependencyScope;
}
