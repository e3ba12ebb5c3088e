import type { ClientSetup, ClientSetupInput } from '../contract.js';

/** `gem push` with the token, a Gemfile source, and Bundler's credentials. */
export function rubygemsClientSetup({ baseUrl, owner, token }: ClientSetupInput): ClientSetup {
  const source = `${baseUrl}/rubygems/${owner}/`;
  const secret = token ?? 'TOKEN';
  return {
    endpoint: source,
    intro: `Each owner has a gem source at ${source}. Public gems install without a token; pushing and private gems need one.`,
    snippets: [
      { client: 'gem push', code: `GEM_HOST_API_KEY=${secret} gem push NAME-1.0.0.gem --host ${source.slice(0, -1)}` },
      { client: 'Gemfile', code: `source "${source}" do\n  gem "NAME"\nend` },
      { client: 'Bundler credentials (private gems)', code: `bundle config set --global ${source} ${owner}:${secret}` },
    ],
  };
}
