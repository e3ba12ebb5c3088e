import type { PresentInput, VersionPresentation } from '../contract.js';
import { parseNpmName } from './names.js';

/** npm, yarn and pnpm commands plus the `.npmrc` line that points the scope at Kura. */
export function presentNpmVersion({ pkg, version, metadata, tags, baseUrl }: PresentInput): VersionPresentation {
  const name = parseNpmName(pkg.name);
  const spec = tags.includes('latest') ? pkg.name : `${pkg.name}@${version.version}`;
  const dist = (metadata['dist'] ?? {}) as { unpackedSize?: number; fileCount?: number };
  return {
    install: [
      { client: '.npmrc', code: `@${name.scope}:registry=${baseUrl}/npm/` },
      { client: 'npm', code: `npm install ${spec}` },
      { client: 'yarn', code: `yarn add ${spec}` },
      { client: 'pnpm', code: `pnpm add ${spec}` },
    ],
    details: [],
    facts: {
      dependencies: metadata['dependencies'] ?? {},
      peerDependencies: metadata['peerDependencies'] ?? {},
      engines: metadata['engines'] ?? {},
      homepage: metadata['homepage'] ?? null,
      repository: metadata['repository'] ?? null,
      unpackedSize: dist.unpackedSize ?? null,
      fileCount: dist.fileCount ?? null,
      distTags: tags,
    },
  };
}
