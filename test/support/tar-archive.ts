/** One member of a hand-written tar (type `0` file, `2` symlink, `1` hard link). */
export interface TarMember { path: string; content?: Buffer; type?: '0' | '1' | '2'; linkTarget?: string }

/** A ustar archive of `members`, written by hand so tests can build archives no tool would. */
export function tarOf(members: readonly TarMember[]): Buffer {
  const parts: Buffer[] = [];
  for (const member of members) {
    const content = member.content ?? Buffer.alloc(0);
    const header = Buffer.alloc(512);
    header.write(member.path, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write(member.type ?? '0', 156);
    if (member.linkTarget) header.write(member.linkTarget, 157, 100);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

/**
 * A ustar archive holding one regular file at `path`, written by hand so tests can build
 * archives no well-behaved tool would (paths with `..`, absolute paths) as well as plain layers.
 */
export function tarWithFile(path: string, content: Buffer): Buffer {
  return tarOf([{ path, content }]);
}
