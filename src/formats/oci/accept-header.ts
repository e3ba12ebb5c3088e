import { rememberParses } from '../shared/remembered-parses.js';
import { baseMediaType } from './media-types.js';

/** The media types an Accept header lists, without parameters and lower-cased (clients send a handful of distinct headers). */
const listedTypes = rememberParses((accept): ReadonlySet<string> => new Set(accept.split(',').map(baseMediaType).filter(Boolean)), { limit: 64, maxLength: 4096 });

/** Whether an Accept header admits `mediaType` (no header, no types, a wildcard, JSON or the type itself). */
export function acceptsMediaType(accept: string | undefined, mediaType: string): boolean {
  if (!accept) return true;
  const types = listedTypes(accept);
  return types.size === 0 || types.has(mediaType) || types.has('*/*') || types.has('application/*') || types.has('application/json');
}
