import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AllowedHosts, refusedAddress } from './address-rules.js';

describe('addresses webhooks may not reach', () => {
  it('refuses loopback, unspecified, private, link-local, CGNAT, multicast and reserved IPv4 ranges', () => {
    const refused: Array<[string, string]> = [
      ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['0.0.0.0', 'unspecified'], ['10.0.0.1', 'private'],
      ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['169.254.169.254', 'link-local'],
      ['100.64.0.1', 'shared (CGNAT)'], ['100.127.255.255', 'shared (CGNAT)'], ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'],
      ['255.255.255.255', 'reserved'], ['198.18.0.1', 'benchmarking'], ['192.0.0.8', 'reserved'],
    ];
    for (const [address, rule] of refused) assert.equal(refusedAddress(address)?.rule, rule, address);
  });

  it('lets public IPv4 addresses through, including the neighbours of refused ranges', () => {
    for (const address of ['8.8.8.8', '93.184.216.34', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '169.253.255.255', '192.169.0.1', '11.0.0.1', '223.255.255.255', '126.255.255.255', '128.0.0.1']) {
      assert.equal(refusedAddress(address), null, address);
    }
  });

  it('refuses loopback, unspecified, link-local, unique-local and multicast IPv6, and IPv6 forms of refused IPv4 addresses', () => {
    const refused: Array<[string, string]> = [
      ['::1', 'loopback'], ['[::1]', 'loopback'], ['0:0:0:0:0:0:0:1', 'loopback'], ['::', 'unspecified'], ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'],
      ['febf::1', 'link-local'], ['fc00::1', 'private'], ['fd12:3456::1', 'private'], ['ff02::1', 'multicast'], ['fec0::1', 'site-local'],
      ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:10.1.2.3', 'private'], ['::ffff:169.254.169.254', 'link-local'],
      ['::127.0.0.1', 'loopback'], ['64:ff9b::10.0.0.1', 'private'], ['2002:7f00:1::', 'loopback'], ['2002:a9fe:a9fe::1', 'link-local'], ['::ffff:0:127.0.0.1', 'loopback'], ['::ffff:0:a9fe:a9fe', 'link-local'], ['64:ff9b:1::8.8.8.8', 'private'],
    ];
    for (const [address, rule] of refused) assert.equal(refusedAddress(address)?.rule, rule, address);
  });

  it('lets public IPv6 addresses through', () => {
    for (const address of ['2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '2002:808:808::1', 'fe00::1', '64:ff9b::8.8.8.8']) {
      assert.equal(refusedAddress(address), null, address);
    }
  });

  it('throws for names', () => {
    assert.throws(() => refusedAddress('localhost'), /not an IP address/);
  });

  it('allows listed hosts, on any port or the one listed', () => {
    const allowed = new AllowedHosts(['127.0.0.1:8080', 'hooks.internal', '[::1]:9000', 'fd00::5']);
    assert.equal(allowed.allows('127.0.0.1', '8080'), true);
    assert.equal(allowed.allows('127.0.0.1', '8081'), false);
    assert.equal(allowed.allows('HOOKS.internal', '443'), true);
    assert.equal(allowed.allows('[::1]', '9000'), true);
    assert.equal(allowed.allows('::1', '9001'), false);
    assert.equal(allowed.allows('fd00::5', '80'), true);
    assert.throws(() => new AllowedHosts(['http://x/']), /host or host:port/);
  });
});
