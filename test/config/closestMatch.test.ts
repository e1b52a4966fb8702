import assert from 'node:assert/strict';
import { closestMatch } from '../../src/config/closestMatch.js';

describe('closestMatch', () => {
  it('finds a swap of two letters', () => {
    assert.equal(closestMatch('prot', ['host', 'port', 'path']), 'port');
  });

  it('ignores case', () => {
    assert.equal(closestMatch('RetentionDays', ['retentionDays']), 'retentionDays');
  });

  it('allows two edits in a long word but one in a short one', () => {
    assert.equal(closestMatch('prmthus', ['prometheus']), undefined);
    assert.equal(closestMatch('promtheus', ['prometheus']), 'prometheus');
    assert.equal(closestMatch('pth', ['path']), 'path');
    assert.equal(closestMatch('xyz', ['url']), undefined);
  });

  it('suggests nothing when there are no candidates', () => {
    assert.equal(closestMatch('port', []), undefined);
  });
});
