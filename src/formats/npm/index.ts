import semver from 'semver';
import type { PackageFormat } from '../contract.js';
import { npmDependencies } from './dependencies.js';
import { parseNpmName } from './names.js';
import { registerNpmRoutes } from './routes.js';
import { presentNpmVersion } from './present.js';
import { npmClientSetup } from './client-setup.js';

/**
 * npm: scoped packages `@OWNER/NAME` at `/npm/`, for npm, yarn 1 and 4, and pnpm.
 * Errors are `{ "error": message }`, which every npm client prints.
 */
export const npmFormat: PackageFormat = {
  id: 'npm',
  displayName: 'npm',
  mountPath: '/npm',
  normalizeName(ownerLogin, name) {
    const full = name.startsWith('@') ? name : `@${ownerLogin.toLowerCase()}/${name}`;
    try {
      return parseNpmName(full).full.toLowerCase();
    } catch {
      return null;
    }
  },
  compareVersions: (a, b) => semver.compare(a, b),
  versionRanges: {
    osvName: 'npm',
    between: (lower, upper) => [lower ? `>=${lower}` : '', upper ? `${upper.inclusive ? '<=' : '<'}${upper.version}` : ''].filter(Boolean).join(' ') || '*',
    exactly: (version) => version,
    valid: (range) => semver.validRange(range) !== null,
    admits: (range, version) => semver.satisfies(version, range, { includePrerelease: true }),
    overlaps: (a, b) => semver.validRange(a) !== null && semver.validRange(b) !== null && semver.intersects(a, b, { includePrerelease: true }),
  },
  dependencies: npmDependencies,
  register: registerNpmRoutes,
  present: presentNpmVersion,
  clientSetup: npmClientSetup,
  renderError(error, _request, reply) {
    if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="kura"');
    return reply.status(error.status).type('application/json; charset=utf-8').send({ error: error.message, code: error.code });
  },
};
