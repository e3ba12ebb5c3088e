import type { PackageFormat } from '../contract.js';
import { compareMavenVersions } from './comparable-version.js';
import { isValidMavenVersion, mavenNameKey, parseMavenPackageName } from './coordinates.js';
import { inIntervals, intervalBetween, intervalsOverlap, parseIntervals } from '../shared/interval-range.js';
import { mavenDependencies } from './dependencies.js';
import { sendPlainTextError } from '../shared/plain-text-error.js';
import { registerMavenRoutes } from './routes.js';
import { presentMavenVersion } from './present.js';
import { mavenClientSetup } from './client-setup.js';

/**
 * Maven and Gradle: a Maven 2 repository layout per repository at `/maven/OWNER/REPO/`
 * (deploy and resolve) and across an owner's repositories at `/maven/OWNER/` (resolve).
 * Packages are `groupId:artifactId`; versions order by Maven's ComparableVersion rules.
 * Errors are plain text with the message as the HTTP reason phrase, which mvn and Gradle print.
 */
export const mavenFormat: PackageFormat = {
  id: 'maven',
  displayName: 'Maven',
  mountPath: '/maven',
  settings: [{
    key: 'snapshotKeep',
    env: 'KURA_MAVEN_SNAPSHOT_KEEP',
    default: '10',
    describe: 'Timestamped builds kept per Maven -SNAPSHOT version; older builds’ files are removed on deploy.',
    parse: (text) => {
      const keep = Number(text);
      if (!Number.isInteger(keep) || keep < 1) throw new Error(`invalid KURA_MAVEN_SNAPSHOT_KEEP "${text}": expected an integer >= 1`);
      return keep;
    },
  }],
  normalizeName(_ownerLogin, name) {
    const coordinates = parseMavenPackageName(name);
    return coordinates ? mavenNameKey(coordinates) : null;
  },
  compareVersions: compareMavenVersions,
  versionRanges: {
    osvName: 'Maven',
    between: intervalBetween,
    exactly: (version) => `[${version}]`,
    valid: (range) => parseIntervals(range, 'exact', isValidMavenVersion) !== null,
    admits: (range, version) => inIntervals(parseIntervals(range, 'exact', isValidMavenVersion) ?? [], version, compareMavenVersions),
    overlaps: (a, b) => intervalsOverlap(parseIntervals(a, 'exact', isValidMavenVersion) ?? [], parseIntervals(b, 'exact', isValidMavenVersion) ?? [], compareMavenVersions),
  },
  dependencies: mavenDependencies,
  register: registerMavenRoutes,
  present: presentMavenVersion,
  clientSetup: mavenClientSetup,
  renderError: (error, _request, reply) => sendPlainTextError(error, reply),
};
