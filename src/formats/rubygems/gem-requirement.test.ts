import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { gemRequirementAdmits, parseGemRequirement } from './gem-requirement.js';

describe('RubyGems requirements (as Gem::Requirement#satisfied_by?)', () => {
  it('agrees with real Ruby on a table of requirements and versions', () => {
    const requirements = ['>= 1.0, < 1.2', '~> 1.2', '~> 1.2.3', '~> 2', '= 1.0.0', '!= 1.1', '> 0.9.9', '<= 2.0.0.pre', '~> 1.0.0.pre', '>= 0', '< 1.0.a'];
    const versions = ['0.9', '1.0', '1.0.0.pre', '1.0.0', '1.1', '1.1.9', '1.2', '1.2.2', '1.2.3', '1.2.9', '1.3', '1.9', '2', '2.0.0.pre', '2.0', '2.5', '3.0', '1.0.a', '1.0.b'];
    const script = 'require "json"; reqs, vers = JSON.parse(STDIN.read); puts JSON.generate(reqs.map { |r| vers.map { |v| Gem::Requirement.new(*r.split(",").map(&:strip)).satisfied_by?(Gem::Version.new(v)) } })';
    const expected = JSON.parse(execFileSync('ruby', ['-e', script], { input: JSON.stringify([requirements, versions]) }).toString()) as boolean[][];
    requirements.forEach((requirement, i) => {
      const parsed = parseGemRequirement(requirement);
      assert.ok(parsed, requirement);
      versions.forEach((version, j) => {
        assert.equal(gemRequirementAdmits(parsed, version), expected[i]![j], `${version} in "${requirement}"`);
      });
    });
  });

  it('refuses what is not a requirement', () => {
    for (const bad of ['', '>=', '=> 1.0', '>= 1.0,', 'about 1.0', '>= 1..0']) assert.equal(parseGemRequirement(bad), null, bad);
  });
});
