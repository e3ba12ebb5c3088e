import type { KuraServer } from './kura-server.js';

/** Creates a token with `kura token create` and resolves to its secret. */
export async function createToken(server: KuraServer, login: string, scopes: readonly string[], name?: string): Promise<string> {
  const args = ['token', 'create', '--user', login, '--scopes', scopes.join(',')];
  if (name) args.push('--name', name);
  const token = await server.kura(args);
  if (!/^kura_\w+$/.test(token)) throw new Error(`kura token create printed "${token}", not a token`);
  return token;
}

/**
 * The id of `login`'s token called `name`, read from `kura token list` (tab-separated: id,
 * prefix, name, …). @throws Error when no token has that name.
 */
export async function tokenIdByName(server: KuraServer, login: string, name: string): Promise<number> {
  const listing = await server.kura(['token', 'list', '--user', login]);
  for (const line of listing.split('\n')) {
    const [id, , tokenName] = line.split('\t');
    if (tokenName === name && id !== undefined) return Number(id);
  }
  throw new Error(`no token named "${name}" in:\n${listing}`);
}
