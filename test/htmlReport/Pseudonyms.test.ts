import assert from 'node:assert/strict';
import { Pseudonyms } from '../../src/htmlReport/Pseudonyms.js';

describe('Pseudonyms', () => {
  it('names ids by kind in the order first seen, the same id always the same name', () => {
    const names = new Pseudonyms(false);
    assert.deepEqual(
      [names.of('user', 'alice@x'), names.of('user', 'bob'), names.of('org', 'acme'), names.of('user', 'alice@x'), names.of('org', 'beta')],
      ['user 1', 'user 2', 'org 1', 'user 1', 'org 2'],
    );
  });

  it('gives the ids back unchanged with includeIds', () => {
    const names = new Pseudonyms(true);
    assert.deepEqual([names.of('user', 'alice@x'), names.of('org', 'acme')], ['alice@x', 'acme']);
  });

  it('keeps undefined undefined', () => {
    assert.equal(new Pseudonyms(false).of('org', undefined), undefined);
  });
});
