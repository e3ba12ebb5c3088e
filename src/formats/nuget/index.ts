import type { PackageFormat } from '../contract.js';
import { inIntervals, intervalBetween, intervalsOverlap, parseIntervals } from '../shared/interval-range.js';
import { nugetDependencies } from './dependencies.js';
import { sendPlainTextError } from '../shared/plain-text-error.js';
import { compareNuGetVersions, parseNuGetVersion } from './nuget-version.js';
import { packageIdKey, parsePackageId } from './package-id.js';
import { presentNuGetVersion } from './present.js';
import { registerNuGetRoutes } from './routes.js';
import { nugetClientSetup } from './client-setup.js';

const isNuGetVersion = (text: string) => {
  try {
    parseNuGetVersion(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * NuGet v3 feeds at `/nuget/OWNER/index.json`, for NuGet.exe and dotnet: push, delete (unlist)
 * and relist, symbol packages, the flat container, registrations, search and autocomplete.
 * Errors are plain text with the message also as the HTTP reason phrase (what NuGet prints);
 * a 401 carries `WWW-Authenticate: Basic`, after which NuGet sends its credentials.
 */
export const nugetFormat: PackageFormat = {
  id: 'nuget',
  displayName: 'NuGet',
  mountPath: '/nuget',
  normalizeName(_ownerLogin, name) {
    try {
      return packageIdKey(parsePackageId(name));
    } catch {
      return null;
    }
  },
  compareVersions: compareNuGetVersions,
  versionRanges: {
    osvName: 'NuGet',
    between: intervalBetween,
    exactly: (version) => `[${version}]`,
    valid: (range) => parseIntervals(range, 'minimum', isNuGetVersion) !== null,
    admits: (range, version) => inIntervals(parseIntervals(range, 'minimum', isNuGetVersion) ?? [], version, compareNuGetVersions),
    overlaps: (a, b) => intervalsOverlap(parseIntervals(a, 'minimum', isNuGetVersion) ?? [], parseIntervals(b, 'minimum', isNuGetVersion) ?? [], compareNuGetVersions),
  },
  dependencies: nugetDependencies,
  register: registerNuGetRoutes,
  present: presentNuGetVersion,
  clientSetup: nugetClientSetup,
  renderError: (error, _request, reply) => sendPlainTextError(error, reply),
};
