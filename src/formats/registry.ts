import type { AnyPackageFormat } from './contract.js';
import { mavenFormat } from './maven/index.js';
import { npmFormat } from './npm/index.js';
import { nugetFormat } from './nuget/index.js';
import { ociFormat } from './oci/index.js';
import { rubygemsFormat } from './rubygems/index.js';

/** Every format Kura serves. Adding a format means adding it here and nowhere else outside its folder. */
export const formats: readonly AnyPackageFormat[] = [npmFormat, mavenFormat, ociFormat, rubygemsFormat, nugetFormat];

export function findFormat(id: string): AnyPackageFormat | undefined {
  return formats.find((f) => f.id === id);
}
