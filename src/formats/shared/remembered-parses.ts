/**
 * `parse` with its results remembered by input, for the few distinct inputs clients send again
 * and again (package names, request paths, Accept headers). At most `limit` inputs are
 * remembered (the oldest forgotten first) and none longer than `maxLength`; an input whose parse
 * throws is not remembered. Results are shared between callers, so they must not be changed.
 */
export function rememberParses<T>(parse: (input: string) => T, options: { limit: number; maxLength?: number }): (input: string) => T {
  const remembered = new Map<string, T>();
  const maxLength = options.maxLength ?? Infinity;
  return (input) => {
    if (remembered.has(input)) return remembered.get(input) as T;
    const result = parse(input);
    if (input.length <= maxLength) {
      if (remembered.size >= options.limit) remembered.delete(remembered.keys().next().value as string);
      remembered.set(input, result);
    }
    return result;
  };
}
