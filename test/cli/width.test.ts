import assert from 'node:assert/strict';
import { painter } from '../../src/cli/output/colour.js';
import { renderTable } from '../../src/cli/output/table.js';
import { displayWidth } from '../../src/cli/output/width.js';
import { assertAligned, cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';

describe('display width of table cells', () => {
  it('counts terminal columns: wide and fullwidth 2, emoji 2, combining marks and joiners 0', () => {
    const cases: [string, number][] = [
      ['web_search', 10],
      ['検索', 4], // CJK ideographs: East Asian Wide
      ['한국어', 6], // Hangul syllables
      ['ｅｘｐｏｒｔ', 12], // fullwidth Latin
      ['ｶﾀｶﾅ', 4], // halfwidth katakana: narrow
      ['🔍search', 8], // an emoji of emoji presentation
      ['e\u0301', 1], // e and a combining acute accent
      ['é', 1],
      ['👨‍👩‍👧‍👦', 2], // a family: four emoji joined by ZWJ
      ['🇯🇵', 2], // a flag: two regional indicators
      ['👍🏽', 2], // an emoji and a skin tone modifier
      ['❤', 1], // text presentation by default
      ['❤️', 2], // with VS16, emoji presentation
      ['1️⃣', 2], // a keycap
      ['a\u200Bb', 2], // zero width space
      ['\u0301', 0],
      ['', 0],
    ];
    for (const [text, width] of cases) assert.equal(displayWidth(text), width, JSON.stringify(text));
  });

  it('pads cells by display width, so CJK and emoji skill ids line up', () => {
    const rows = [
      ['検索', '12'],
      ['🔍search', '7'],
      ['cafe\u0301', '3'],
      ['👨‍👩‍👧‍👦 family', '1,024'],
      ['web_search', '5'],
    ];
    const columns = [{ header: 'skill' }, { header: 'calls', numeric: true }, { header: 'x' }];
    const table = renderTable(
      columns,
      rows.map((row) => [...row, 'y']),
      painter(false),
    );
    assert.equal(
      table,
      [
        `skill${' '.repeat(7)}calls  x`,
        '----------  -----  -',
        `検索${' '.repeat(11)}12  y`,
        `🔍search${' '.repeat(8)}7  y`,
        `cafe\u0301${' '.repeat(12)}3  y`,
        `👨‍👩‍👧‍👦 family${' '.repeat(3)}1,024  y`,
        `web_search${' '.repeat(6)}5  y`,
      ].join('\n'),
    );
    for (const line of table.split('\n')) assert.equal(displayWidth(line), 20, line);
  });

  describe('in the CLI', () => {
    const cwd = useWorkDirectory();

    it('aligns a table whose cells hold CJK text (status, with the database at 検索データ.db)', async () => {
      const path = await fixtureDatabase(cwd(), '検索データ.db');
      const run = expectExit(await cli(['status', '--db', path], { cwd: cwd(), env: { ANALYTICS_BACKEND: 'sqlite,console' } }), 0);
      const backends = run.stdout.slice(run.stdout.indexOf('backend  '));
      assertAligned(backends, []);
    });
  });
});
