/**
 * True when a path inside an archive (an entry's name or a link's target) could leave the
 * directory it is unpacked into: absolute, a drive letter, a NUL, or a `..` segment under either
 * separator.
 */
export function isUnsafeArchivePath(path: string): boolean {
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path) || path.includes('\0')) return true;
  return path.split(/[\\/]+/).some((segment) => segment === '..');
}
