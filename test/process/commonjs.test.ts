import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../src/index.js', import.meta.url));

describe('the package from CommonJS', () => {
  it('loads with require() on Node >= 20.19 and records a skill', () => {
    const script = `
      const { SkillMetrics, startAnalytics } = require(${JSON.stringify(ENTRY)});
      const skills = new SkillMetrics();
      const double = skills.wrap('double', (x) => x * 2);
      process.stdout.write(String(double(21)) + ' ' + typeof startAnalytics);
    `;
    const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(output, '42 function');
  });
});
