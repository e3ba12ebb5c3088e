/** The environment variable that sets how many timestamped builds each `-SNAPSHOT` version keeps. */
export const snapshotKeepVariable = 'KURA_MAVEN_SNAPSHOT_KEEP';
/** Builds kept per `-SNAPSHOT` version when the variable is not set. */
export const defaultSnapshotKeep = 10;

/** Settings of the Maven format, read once when the format's routes are registered. */
export interface MavenSettings {
  /** Timestamped builds kept per `-SNAPSHOT` version; older builds' files are removed on deploy. */
  snapshotKeep: number;
}

/**
 * Reads the Maven settings from the environment.
 * @throws Error with a one-line message naming the bad variable.
 */
export function readMavenSettings(env: NodeJS.ProcessEnv = process.env): MavenSettings {
  const raw = env[snapshotKeepVariable];
  if (raw === undefined || raw.trim() === '') return { snapshotKeep: defaultSnapshotKeep };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`invalid ${snapshotKeepVariable} "${raw}": expected an integer >= 1`);
  return { snapshotKeep: value };
}
