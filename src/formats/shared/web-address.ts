/** Longest address Kura links to; metadata holding more is not an address a person follows. */
export const maxWebAddressLength = 2048;

/** Forges whose repository pages live at `https://HOST/OWNER/REPO`, without the `.git` of the clone address. */
const forges: ReadonlySet<string> = new Set(['github.com', 'www.github.com', 'gitlab.com', 'bitbucket.org', 'codeberg.org']);

/**
 * The address to link to when `value` is an absolute `http:` or `https:` URL (written with its
 * `//`), as the WHATWG URL parser serializes it and without any user name or password; null for
 * anything else: other schemes (`javascript:`, `data:`, `file:`…), relative or malformed
 * addresses, and addresses longer than {@link maxWebAddressLength}.
 */
export function webAddress(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const written = value.trim();
  if (written.length > maxWebAddressLength || !/^https?:\/\//i.test(written)) return null;
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  url.username = '';
  url.password = '';
  return url.href;
}

/**
 * A page to browse for a source repository as package metadata writes its address:
 * `https://…`, `git+https://…`, `git://HOST/PATH`, `git+ssh://git@HOST[:PORT]/PATH`,
 * `ssh://…`, `git@HOST:PATH` and Maven's `scm:git:…` prefix all become `https://HOST/PATH`
 * (on the well-known forges also from `http:`, and without a trailing `.git`); null when no web
 * address follows (see {@link webAddress}).
 */
export function repositoryWebAddress(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > maxWebAddressLength) return null;
  const written = value.trim().replace(/^scm:[a-z]+:/i, '').replace(/^git\+/i, '');
  const address = webAddress(written) ?? webAddress(remoteAsWebAddress(written));
  return address ? forgePage(address) : null;
}

/** `git://`, `ssh://` and `user@host:path` remotes as `https://host/path`, or null. */
function remoteAsWebAddress(remote: string): string | null {
  const withScheme = /^(?:git|ssh):\/\/(?:[^@/]*@)?([^/:?#]+)(?::\d*)?[:/](.+)$/i.exec(remote);
  const scpLike = /^(?:[^@/:]+@)?([a-z0-9.-]+\.[a-z]{2,}):(?!\/)(.+)$/i.exec(remote);
  const [, host, path] = withScheme ?? scpLike ?? [];
  return host && path ? `https://${host}/${path.replace(/^\/+/, '')}` : null;
}

/** On a well-known forge: `https:`, no `.git` suffix and no trailing slash. */
function forgePage(address: string): string {
  const url = new URL(address);
  if (!forges.has(url.hostname)) return address;
  url.protocol = 'https:';
  url.pathname = url.pathname.replace(/\.git\/?$/i, '').replace(/\/+$/, '');
  return url.href;
}
