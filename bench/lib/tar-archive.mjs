// Uncompressed tar archives for the benchmarks' fixtures, with headers from node-tar.
import { Header } from 'tar';

/**
 * A tar of `files` (path → Buffer) as regular files, mode 0644, owned by 0:0, all with `mtime`,
 * followed by the two end blocks. The same input always gives the same bytes.
 */
export function tarOf(files, mtime = new Date(0)) {
  const blocks = [];
  for (const [path, content] of Object.entries(files)) {
    const header = Buffer.alloc(512);
    new Header({ path, mode: 0o644, uid: 0, gid: 0, size: content.length, mtime, type: 'File' }).encode(header, 0);
    blocks.push(header, content);
    const padding = (512 - (content.length % 512)) % 512;
    if (padding) blocks.push(Buffer.alloc(padding));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
