import type { PackageFormat } from '../contract.js';
import { sendPlainTextError } from '../shared/plain-text-error.js';
import { intervalsOverlap } from '../shared/interval-range.js';
import { gemDependencies } from './dependencies.js';
import { gemRequirementAdmits, gemRequirementInterval, parseGemRequirement } from './gem-requirement.js';
import { compareGemVersions } from './gem-version.js';
import * as gems from './migrations/0001-gems.js';
import { gemNameKey, parseGemName } from './names.js';
import { presentGemVersion } from './present.js';
import { registerRubygemsRoutes } from './routes.js';
import type { RubygemsTables } from './tables.js';
import { rubygemsClientSetup } from './client-setup.js';

/**
 * RubyGems at `/rubygems/OWNER/`: `gem push`, `gem yank`, `gem install` (the Marshal full index)
 * and Bundler (the compact index). Errors are plain text, which gem and Bundler print as they
 * are; a 401 carries `WWW-Authenticate: Basic` so both retry with the credentials they hold.
 */
export const rubygemsFormat: PackageFormat<RubygemsTables> = {
  id: 'rubygems',
  displayName: 'RubyGems',
  mountPath: '/rubygems',
  migrations: { '0001-gems': gems },
  normalizeName(_ownerLogin, name) {
    try {
      return gemNameKey(parseGemName(name));
    } catch {
      return null;
    }
  },
  compareVersions: compareGemVersions,
  versionRanges: {
    osvName: 'RubyGems',
    between: (lower, upper) => [lower ? `>= ${lower}` : '', upper ? `${upper.inclusive ? '<=' : '<'} ${upper.version}` : ''].filter(Boolean).join(', ') || '>= 0',
    exactly: (version) => `= ${version}`,
    valid: (range) => parseGemRequirement(range) !== null,
    admits: (range, version) => gemRequirementAdmits(parseGemRequirement(range) ?? [['<', '0']], version),
    overlaps: (a, b) => {
      const [x, y] = [parseGemRequirement(a), parseGemRequirement(b)];
      return x !== null && y !== null && intervalsOverlap([gemRequirementInterval(x)], [gemRequirementInterval(y)], compareGemVersions);
    },
  },
  dependencies: gemDependencies,
  register: registerRubygemsRoutes,
  present: presentGemVersion,
  clientSetup: rubygemsClientSetup,
  renderError: (error, _request, reply) => sendPlainTextError(error, reply),
};
