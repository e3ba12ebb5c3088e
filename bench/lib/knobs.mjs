// The benchmarks' BENCH_* environment knobs.

/**
 * The positive number in environment variable `name`, or `fallback` when it is unset or empty.
 * @throws Error naming the variable when it holds anything else (or a fraction with `integer`).
 */
export function envNumber(name, fallback, { integer = false } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
}

/** The options of {@link envNumber} for counts. */
export const wholeNumber = { integer: true };
