import type { ClientSetup, ClientSetupInput } from '../contract.js';

/** A `NuGet.config` with the owner's feed and its credentials, and a push. */
export function nugetClientSetup({ baseUrl, owner, token }: ClientSetupInput): ClientSetup {
  const feed = `${baseUrl}/nuget/${owner}/index.json`;
  const secret = token ?? 'TOKEN';
  return {
    endpoint: feed,
    intro: `Each owner has a NuGet v3 feed at ${feed}. Public packages restore anonymously; pushing and private packages need the token.`,
    snippets: [
      { client: 'NuGet.config', code: `<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <packageSources>\n    <add key="kura" value="${feed}" protocolVersion="3" />\n  </packageSources>\n  <packageSourceCredentials>\n    <kura>\n      <add key="Username" value="${owner}" />\n      <add key="ClearTextPassword" value="${secret}" />\n    </kura>\n  </packageSourceCredentials>\n</configuration>` },
      { client: 'push', code: `nuget push NAME.1.0.0.nupkg -Source ${feed} -ApiKey ${secret}` },
    ],
  };
}
