import type { ClientSetup, ClientSetupInput } from '../contract.js';

/** `.npmrc` for npm, yarn 1 and pnpm, `.yarnrc.yml` for yarn 4: the owner's scope on this registry, with the token. */
export function npmClientSetup({ baseUrl, owner, token }: ClientSetupInput): ClientSetup {
  const registry = `${baseUrl}/npm/`;
  const scope = owner.toLowerCase();
  const secret = token ?? 'TOKEN';
  return {
    endpoint: registry,
    intro: `Packages are scoped by owner (@${scope}/NAME) and served at ${registry}. A token is needed to publish and to install private packages.`,
    snippets: [
      { client: '.npmrc (npm, yarn 1, pnpm)', code: `@${scope}:registry=${registry}\n${registry.replace(/^https?:/, '')}:_authToken=${secret}` },
      { client: '.yarnrc.yml (yarn 4)', code: `npmScopes:\n  ${scope}:\n    npmRegistryServer: "${registry}"\n    npmAuthToken: "${secret}"\n    npmAlwaysAuth: true` },
      { client: 'publish', code: 'npm publish' },
    ],
  };
}
