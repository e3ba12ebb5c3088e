import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repositoryWebAddress, webAddress } from './web-address.js';

describe('web addresses for links', () => {
  it('accepts absolute http and https URLs only, without credentials', () => {
    assert.equal(webAddress('https://alice.example/docs?x=1#top'), 'https://alice.example/docs?x=1#top');
    assert.equal(webAddress('  HTTP://Alice.Example  '), 'http://alice.example/');
    assert.equal(webAddress('https://alice:secret@alice.example/'), 'https://alice.example/');
    for (const refused of ['javascript:alert(1)', ' javascript:alert(1)', 'JavaScript://%0aalert(1)', 'data:text/html,x', 'file:///etc/passwd',
      'mailto:a@b.example', 'http:alice.example', '//alice.example', '/docs', 'alice.example', 'https://', 'http://[bad', '', 42, null, {}]) {
      assert.equal(webAddress(refused), null, String(refused));
    }
    assert.equal(webAddress(`https://alice.example/${'a'.repeat(3000)}`), null);
  });

  it('turns repository remotes into pages to browse', () => {
    assert.equal(repositoryWebAddress('scm:git:git@github.com:alice/tools.git'), 'https://github.com/alice/tools');
    assert.equal(repositoryWebAddress('scm:git:https://github.com/alice/tools.git'), 'https://github.com/alice/tools');
    assert.equal(repositoryWebAddress('scm:svn:http://svn.alice.example/tools/trunk'), 'http://svn.alice.example/tools/trunk');
    assert.equal(repositoryWebAddress('https://codeberg.org/alice/tools.git/'), 'https://codeberg.org/alice/tools');
    assert.equal(repositoryWebAddress('git://git.alice.example/tools'), 'https://git.alice.example/tools');
    assert.equal(repositoryWebAddress('git@evil.example:javascript:alert(1)'), 'https://evil.example/javascript:alert(1)');
    for (const refused of ['javascript:alert(1)', 'scm:git:javascript:alert(1)', 'git+file:///srv/tools.git', 'tools', '', 7]) {
      assert.equal(repositoryWebAddress(refused), null, String(refused));
    }
  });
});
