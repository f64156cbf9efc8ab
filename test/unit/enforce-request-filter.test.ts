import { describe, expect, it } from 'vitest';
import { isRequestAllowed, requestFilter } from '../../src/core/enforcement/request-filter';
import { parseAddress, resolveAllowList } from '../../src/core/enforcement/allow-list';

const ALLOW = [
  'policy.school.local',
  '*.intranet.school.local',
  '10.20.0.0/16',
  '192.168.5.9',
  'fd00:5::/32',
];

describe('isRequestAllowed: Classlock’s own windows under an internet sanction', () => {
  it.each([
    ['https://policy.school.local/policy.json', true, 'a listed host'],
    ['https://POLICY.School.Local./policy.json', true, 'case and a trailing dot do not matter'],
    ['https://wiki.intranet.school.local/', true, 'a name below a wildcard'],
    ['https://a.b.intranet.school.local:8443/x', true, 'deeper below a wildcard, any port'],
    ['https://intranet.school.local/', false, 'a wildcard does not cover the name itself'],
    ['https://evilintranet.school.local/', false, 'a look-alike suffix'],
    ['https://policy.school.local.evil.com/', false, 'a listed name as a prefix'],
    ['https://www.example.com/', false, 'the internet'],
    ['http://10.20.3.4/', true, 'an address inside a listed range'],
    ['http://10.21.0.1/', false, 'an address outside it'],
    ['http://192.168.5.9:8080/', true, 'a listed address'],
    ['http://192.168.5.10/', false, 'the address next to it'],
    ['http://[fd00:5::1]/', true, 'IPv6 inside a listed range'],
    ['http://[fd00:6::1]/', false, 'IPv6 outside it'],
    ['wss://wiki.intranet.school.local/socket', true, 'web sockets follow the same list'],
    ['http://localhost:5173/', true, 'loopback by name'],
    ['http://127.0.0.1:5173/', true, 'loopback by address'],
    ['http://127.9.9.9/', true, 'all of 127/8 is loopback'],
    ['http://[::1]:80/', true, 'IPv6 loopback'],
    ['file:///C:/Program%20Files/Classlock/index.html', true, 'the app’s own files'],
    ['devtools://devtools/bundled/inspector.html', true, 'developer tools'],
    ['data:text/plain,hello', true, 'inline data'],
    ['gopher://www.example.com/', false, 'an unknown scheme'],
    ['not a url', false, 'something unreadable'],
  ])('%s → %s (%s)', (url, expected) => {
    expect(isRequestAllowed(url, ALLOW)).toBe(expected);
    expect(requestFilter(ALLOW)(url)).toBe(expected);
  });

  it('with an empty allow list only loopback and local schemes remain', () => {
    expect(isRequestAllowed('https://policy.school.local/', [])).toBe(false);
    expect(isRequestAllowed('http://127.0.0.1/', [])).toBe(true);
  });

  it('a name is not resolved: an unlisted name for a listed address is still refused', () => {
    expect(isRequestAllowed('http://printer.school.local/', ['10.20.0.0/16'])).toBe(false);
  });
});

describe('allow list for the packet filter', () => {
  it('resolves names at apply time and keeps addresses and ranges as they are', async () => {
    const lookup = async (host: string) => {
      if (host === 'dc1.school.local') {
        return [
          { address: '10.20.0.5', family: 4 },
          { address: 'fd00:5:0:0::5', family: 6 },
        ];
      }
      throw new Error('getaddrinfo ENOTFOUND');
    };
    const r = await resolveAllowList(
      [
        'dc1.school.local',
        'gone.school.local',
        '10.20.0.0/16',
        '10.20.1.7/16',
        '*.school.local',
        '::1',
      ],
      lookup,
    );
    expect(r.v4).toEqual(['10.20.0.0/16', '10.20.0.5']);
    expect(r.v6).toEqual(['::1', 'fd00:5::5']);
    expect(r.unresolved).toEqual([
      'gone.school.local did not resolve (getaddrinfo ENOTFOUND)',
      '*.school.local cannot be allowed at the firewall (it sees addresses, not names); list the servers or their range',
    ]);
  });

  it.each([
    ['::ffff:10.0.0.1', 6, 0xffff0a000001n],
    ['fe80::1%eth0', 6, (0xfe80n << 112n) | 1n],
    ['255.255.255.255', 4, 0xffffffffn],
  ])('reads %s', (text, family, value) => {
    expect(parseAddress(text)).toEqual({ family, value });
  });
});
