import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VERSION } from '../../src/core/version.js';

describe('the package metadata', () => {
  it('reports the version of package.json as the instrumentation scope version', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(VERSION, manifest.version);
  });
});
