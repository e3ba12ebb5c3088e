import type { GemRequirement, GemSpec } from './gemspec.js';

/** A requirement as the compact index writes it: `>= 12&< 14`. */
export function requirementText(requirement: GemRequirement): string {
  return requirement.map(([op, version]) => `${op} ${version}`).join('&');
}

const unconstrained = (requirement: GemRequirement) => requirement.every(([op, version]) => op === '>=' && /^0(\.0)*$/.test(version));

/**
 * A gem's line in its info file after the version: runtime dependencies, then the .gem's
 * SHA-256 and the Ruby and RubyGems versions it requires
 * (`gadget:~> 1.0|checksum:…,ruby:>= 2.7`).
 */
export function infoLine(spec: GemSpec, sha256: string): string {
  const dependencies = spec.dependencies.filter((d) => d.type === 'runtime').map((d) => `${d.name}:${requirementText(d.requirement)}`);
  const requirements = [`checksum:${sha256}`];
  if (!unconstrained(spec.requiredRubyVersion)) requirements.push(`ruby:${requirementText(spec.requiredRubyVersion)}`);
  if (!unconstrained(spec.requiredRubygemsVersion)) requirements.push(`rubygems:${requirementText(spec.requiredRubygemsVersion)}`);
  return `${dependencies.join(',')}|${requirements.join(',')}`;
}

/** A version as the indexes name it: `1.0.0`, or `1.0.0-x86_64-linux` for a platform gem. */
export function versionWithPlatform(version: string, platform: string): string {
  return platform === 'ruby' ? version : `${version}-${platform}`;
}
