import assert from 'node:assert/strict';
import { plainHttpWarning } from '../../src/grafana/plainHttpWarning.js';
import { toYaml } from '../../src/grafana/yaml.js';

describe('plainHttpWarning', () => {
  for (const url of [
    'https://mystack.grafana.net',
    'http://localhost:3000',
    'http://127.0.0.1:3000/grafana',
    'http://127.8.9.10',
    'http://[::1]:3000',
  ]) {
    it(`says nothing for ${url}`, () => assert.equal(plainHttpWarning(url), undefined));
  }
  // Only the literal localhost is loopback: a name under .localhost may reach a DNS server that answers it.
  for (const url of [
    'http://grafana.localhost',
    'http://grafana.internal:3000',
    'http://10.0.0.5:3000',
    'http://[fd00::5]:3000',
    'http://128.0.0.1',
  ]) {
    it(`warns for ${url} that the key crosses the network unencrypted`, () => {
      assert.match(
        plainHttpWarning(url) ?? '',
        /is plain http to a host that is not loopback: GRAFANA_API_KEY crosses the network unencrypted; use https/,
      );
    });
  }
});

describe('toYaml', () => {
  it('quotes every string as JSON does, so no value changes meaning, and writes nested lists and maps in block style', () => {
    const text = toYaml({
      apiVersion: 1,
      items: [{ name: 'yes', path: 'a: b # c', 'odd key': '\u2028' }, 'plain', []],
      empty: {},
      flag: false,
      none: null,
    });
    assert.equal(
      text,
      [
        'apiVersion: 1',
        'items:',
        '  - name: "yes"',
        '    path: "a: b # c"',
        '    "odd key": "\\u2028"',
        '  - "plain"',
        '  - []',
        'empty: {}',
        'flag: false',
        'none: null',
        '',
      ].join('\n'),
    );
  });
});
