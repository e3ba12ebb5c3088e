import type { PackageFormat } from './contract.js';
import { mavenFormat } from './maven/index.js';
import { npmFormat } from './npm/index.js';
import { ociFormat } from './oci/index.js';

/** Every format Kura serves. Adding a format means adding it here and nowhere else outside its folder. */
export const formats: readonly PackageFormat[] = [npmFormat, mavenFormat, ociFormat];

export function findFormat(id: string): PackageFormat | undefined {
  return formats.find((f) => f.id === id);
}
