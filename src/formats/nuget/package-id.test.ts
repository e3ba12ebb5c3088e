import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KuraError } from '../../core/errors/catalogue.js';
import { packageIdKey, parsePackageId } from './package-id.js';

const invalidName = (rule: RegExp) => (error: unknown) => error instanceof KuraError && error.code === 'INVALID_NAME' && rule.test(error.message);

describe('NuGet package ids', () => {
  it('accepts what PackageIdValidator accepts and keeps the case', () => {
    for (const id of ['Newtonsoft.Json', 'a', '7zip', '_private', 'My-Package_2.Core', 'x'.repeat(100), 'A.B-C_D']) {
      assert.equal(parsePackageId(id), id);
    }
  });

  it('refuses ids that break a rule, naming it', () => {
    assert.throws(() => parsePackageId(''), invalidName(/empty/));
    assert.throws(() => parsePackageId('x'.repeat(101)), invalidName(/longer than 100/));
    assert.throws(() => parsePackageId('../evil'), invalidName(/only letters, digits/));
    assert.throws(() => parsePackageId('a/b'), invalidName(/only letters, digits/));
    assert.throws(() => parsePackageId('a b'), invalidName(/only letters, digits/));
    assert.throws(() => parsePackageId('Pâté'), invalidName(/only letters, digits/));
    assert.throws(() => parsePackageId('.hidden'), invalidName(/start with/));
    assert.throws(() => parsePackageId('-dash'), invalidName(/start with/));
    assert.throws(() => parsePackageId('a..b'), invalidName(/must not contain "\.\."/));
    assert.throws(() => parsePackageId('trailing.'), invalidName(/end with/));
    assert.throws(() => parsePackageId('trailing-'), invalidName(/end with/));
    assert.throws(() => parsePackageId('a.-b'), invalidName(/between letters/));
    assert.throws(() => parsePackageId('a--b'), invalidName(/between letters/));
  });

  it('keys ids by their lower case', () => {
    assert.equal(packageIdKey('Newtonsoft.Json'), 'newtonsoft.json');
    assert.equal(packageIdKey('newtonsoft.json'), packageIdKey('NEWTONSOFT.JSON'));
  });
});
