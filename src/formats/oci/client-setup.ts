import type { ClientSetup, ClientSetupInput } from '../contract.js';

/** `docker login` (or podman, skopeo) against this registry, and a push. */
export function containerClientSetup({ baseUrl, owner, token }: ClientSetupInput): ClientSetup {
  const host = baseUrl.replace(/^https?:\/\//, '');
  const insecure = baseUrl.startsWith('http:');
  return {
    endpoint: `${host}/${owner === 'OWNER' ? owner : owner.toLowerCase()}/IMAGE`,
    intro: `Images are named ${host}/OWNER/NAME. Public images pull anonymously; pushing and private images need a login with the token as the password.${insecure ? ' This server speaks plain HTTP: list it as an insecure registry.' : ''}`,
    snippets: [
      { client: 'docker', code: `echo ${token ?? 'TOKEN'} | docker login ${host} -u ${owner} --password-stdin` },
      { client: 'podman', code: `podman login${insecure ? ' --tls-verify=false' : ''} ${host} -u ${owner} -p ${token ?? 'TOKEN'}` },
      { client: 'push', code: `docker tag app:latest ${host}/${owner.toLowerCase()}/app:latest\ndocker push ${host}/${owner.toLowerCase()}/app:latest` },
    ],
  };
}
