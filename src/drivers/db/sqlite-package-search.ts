import { sql } from 'kysely';
import type { PackageSearchIndex } from '../../core/packages/package-search-index.js';

/**
 * The FTS5 trigram table `package_search` (migration 0010) as a search index: a package
 * containing the needle contains each of its trigrams, so a few of them that together cover the
 * needle (every third one, and the last) select the candidates. Needles shorter than a trigram are
 * not narrowed.
 */
export const sqlitePackageSearch: PackageSearchIndex = {
  candidates(needle) {
    const chars = Array.from(needle);
    if (chars.length < 3) return null;
    const trigrams = new Set<string>();
    for (let i = 0; i + 3 <= chars.length; i += 3) trigrams.add(chars.slice(i, i + 3).join(''));
    trigrams.add(chars.slice(-3).join(''));
    const match = [...trigrams].map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ');
    return sql<boolean>`${sql.ref('packages.id')} in (select rowid from package_search where package_search match ${match})`;
  },
};
