import assert from 'node:assert/strict';
import { scriptJson } from '../../src/htmlReport/scriptJson.js';

describe('scriptJson', () => {
  it('leaves no character that could end the script element or open a comment', () => {
    const text = scriptJson({ skillId: '</script><script>alert(1)</script><!-- & -->' });
    assert.doesNotMatch(text, /[<>&]/);
    assert.equal(text, '{"skillId":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u003c!-- \\u0026 --\\u003e"}');
  });

  it('escapes the line and paragraph separators', () => {
    assert.equal(scriptJson('a\u2028b\u2029c'), '"a\\u2028b\\u2029c"');
  });

  it('parses back to the value it was given', () => {
    const value = { skills: ['<b>&amp;</b>', 'ünïcode \u2028 line', 'plain'], n: [1, null, 0.25], nested: { '<key>': true } };
    assert.deepEqual(JSON.parse(scriptJson(value)), value);
  });
});
