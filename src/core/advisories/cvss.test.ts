import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cvssBaseScore, severityOf } from './cvss.js';

describe('CVSS v3 base scores', () => {
  it('matches the scores the FIRST calculator gives', () => {
    assert.equal(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 9.8);
    assert.equal(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N'), 6.1);
    assert.equal(cvssBaseScore('CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N'), 1.8);
    assert.equal(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H'), 9.9);
    assert.equal(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'), 0);
  });

  it('refuses vectors that are not CVSS 3', () => {
    for (const bad of ['AV:N/AC:L', 'CVSS:2.0/AV:N', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:Q/C:H/I:H/A:H']) {
      assert.throws(() => cvssBaseScore(bad), { code: 'BAD_REQUEST' }, bad);
    }
  });

  it('names the severity bands', () => {
    assert.deepEqual([0.5, 4, 6.9, 7, 9, 10].map(severityOf), ['low', 'medium', 'medium', 'high', 'critical', 'critical']);
  });
});
