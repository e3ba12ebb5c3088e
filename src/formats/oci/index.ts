import type { PackageFormat } from '../contract.js';
import * as tables from './migrations/0001-tables.js';
import type { ContainerTables } from './tables.js';
import { containerFormat } from './access.js';
import { sendOciError } from './errors.js';
import { registryJobs } from './jobs.js';
import { normalizeImage } from './names.js';
import { registerRegistryRoutes } from './routes/register.js';
import { presentImageVersion } from './present.js';
import { cleanupPolicySettings } from './cleanup-policy.js';
import { containerClientSetup } from './client-setup.js';

/**
 * Container images (OCI distribution spec 1.1) at `/v2/OWNER/IMAGE[/…]`, for docker, podman,
 * skopeo, buildah, oras and every other registry client. Each manifest is a version named by
 * its digest; tags are the package's tags. Errors are the spec's `{"errors":[…]}`, and a 401
 * carries the Bearer challenge of the token flow (`/v2/token`).
 */
export const ociFormat: PackageFormat<ContainerTables> = {
  id: containerFormat,
  displayName: 'Container',
  mountPath: '/v2',
  migrations: { '0001-tables': tables },
  normalizeName: (_ownerLogin, name) => normalizeImage(name),
  compareVersions: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  register: registerRegistryRoutes,
  present: presentImageVersion,
  packageSettings: cleanupPolicySettings,
  clientSetup: containerClientSetup,
  renderError: (error, request, reply) => sendOciError(error, request, reply),
  jobs: registryJobs,
};
