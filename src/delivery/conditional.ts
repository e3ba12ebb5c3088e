/**
 * Whether an `If-None-Match` header names `etag` (a quoted entity tag), by the weak comparison
 * RFC 9110 prescribes for it: any listed tag, weak (`W/"…"`) or strong, or `*`. A bare,
 * unquoted tag counts too: Bundler 2.5 stores the ETag without its quotes and sends it back so.
 */
export function ifNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const wanted = etag.replace(/^W\//, '').replace(/^"|"$/g, '');
  for (const value of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const tag = value.trim();
    if (tag === '*') return true;
    if (tag.replace(/^W\//, '').replace(/^"|"$/g, '') === wanted) return true;
  }
  return false;
}
