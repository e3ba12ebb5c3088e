import { baseMediaType } from './media-types.js';

/** How many distinct Accept headers are remembered; clients send a handful. */
const rememberedHeaders = 64;
const listed = new Map<string, ReadonlySet<string>>();

/** The media types an Accept header lists, without parameters and lower-cased. */
function listedTypes(accept: string): ReadonlySet<string> {
  let types = listed.get(accept);
  if (!types) {
    types = new Set(accept.split(',').map(baseMediaType).filter(Boolean));
    if (listed.size >= rememberedHeaders) listed.delete(listed.keys().next().value as string);
    listed.set(accept, types);
  }
  return types;
}

/** Whether an Accept header admits `mediaType` (no header, no types, a wildcard, JSON or the type itself). */
export function acceptsMediaType(accept: string | undefined, mediaType: string): boolean {
  if (!accept) return true;
  const types = listedTypes(accept);
  return types.size === 0 || types.has(mediaType) || types.has('*/*') || types.has('application/*') || types.has('application/json');
}
