import { KuraError } from '../errors/catalogue.js';

export type Scope = 'read:packages' | 'write:packages' | 'delete:packages' | 'admin';
export const allScopes: readonly Scope[] = ['read:packages', 'write:packages', 'delete:packages', 'admin'];

/**
 * Parses a comma-separated scope list.
 * @throws KuraError BAD_REQUEST naming an unknown scope, or when the list is empty.
 */
export function parseScopes(input: string | readonly string[]): Scope[] {
  const items = (typeof input === 'string' ? input.split(',') : [...input]).map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new KuraError('BAD_REQUEST', `at least one scope is required (${allScopes.join(', ')})`);
  for (const item of items) {
    if (!allScopes.includes(item as Scope)) throw new KuraError('BAD_REQUEST', `unknown scope "${item}" (known: ${allScopes.join(', ')})`);
  }
  return [...new Set(items as Scope[])];
}

/**
 * Whether a set of granted scopes allows `needed`. `admin` allows everything;
 * `write:packages` and `delete:packages` include `read:packages`.
 */
export function scopeAllows(granted: ReadonlySet<Scope>, needed: Scope): boolean {
  if (granted.has('admin') || granted.has(needed)) return true;
  return needed === 'read:packages' && (granted.has('write:packages') || granted.has('delete:packages'));
}
