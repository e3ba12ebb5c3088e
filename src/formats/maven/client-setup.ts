import type { ClientSetup, ClientSetupInput } from '../contract.js';

/** `settings.xml` credentials and the repository URL for Maven and Gradle. */
export function mavenClientSetup({ baseUrl, owner, token }: ClientSetupInput): ClientSetup {
  const url = `${baseUrl}/maven/${owner}/REPO/`;
  const secret = token ?? 'TOKEN';
  return {
    endpoint: `${baseUrl}/maven/${owner}/REPO/`,
    intro: `Each repository is a Maven repository at ${baseUrl}/maven/OWNER/REPO/. Public ones resolve anonymously; deploying and private ones take the token as the password.`,
    snippets: [
      { client: '~/.m2/settings.xml', code: `<settings>\n  <servers>\n    <server>\n      <id>kura</id>\n      <username>${owner}</username>\n      <password>${secret}</password>\n    </server>\n  </servers>\n</settings>` },
      { client: 'pom.xml', code: `<distributionManagement>\n  <repository><id>kura</id><url>${url}</url></repository>\n</distributionManagement>\n<repositories>\n  <repository><id>kura</id><url>${url}</url></repository>\n</repositories>` },
      { client: 'build.gradle', code: `repositories {\n  maven {\n    url '${url}'\n    credentials { username '${owner}'; password System.getenv('KURA_TOKEN') }\n  }\n}` },
    ],
  };
}
