import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DASHBOARDS, renderDashboards } from '../../src/grafana/renderDashboards.js';
import { DATASOURCE_PLUGIN, type DashboardFlavour } from '../../src/grafana/model.js';

interface PanelJson {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: string; uid: string };
  targets: Record<string, unknown>[];
}
interface VariableJson {
  type: string;
  name: string;
  query: string;
  current?: { text: unknown; value: unknown };
  allValue?: string;
  multi?: boolean;
  includeAll?: boolean;
  options?: { text: string; value: string; selected: boolean }[];
}

const FLAVOURS: readonly DashboardFlavour[] = ['prometheus', 'sqlite'];
const panelsOf = (dashboard: Record<string, unknown>) => dashboard['panels'] as PanelJson[];
const variablesOf = (dashboard: Record<string, unknown>) => (dashboard['templating'] as { list: VariableJson[] }).list;

describe('renderDashboards', () => {
  it("renders the guide's five dashboards for each data source, with stable uids of at most 40 characters", () => {
    const uids = FLAVOURS.flatMap((flavour) => renderDashboards({ flavour }).map((dashboard) => dashboard.uid));
    assert.deepEqual(uids, [
      'toolweaver-usage-trends-prom',
      'toolweaver-leaderboards-prom',
      'toolweaver-performance-prom',
      'toolweaver-adoption-prom',
      'toolweaver-health-prom',
      'toolweaver-usage-trends-sqlite',
      'toolweaver-leaderboards-sqlite',
      'toolweaver-performance-sqlite',
      'toolweaver-adoption-sqlite',
      'toolweaver-health-sqlite',
    ]);
    assert.ok(uids.every((uid) => uid.length <= 40 && /^[a-z0-9-]+$/.test(uid)));
    // Titles are unique in the one folder both flavours share.
    const titles = FLAVOURS.flatMap((flavour) => renderDashboards({ flavour }).map((dashboard) => dashboard.title));
    assert.equal(new Set(titles).size, titles.length);
  });

  it('gives the same JSON for the same options, so provisioning can tell an unchanged dashboard', () => {
    for (const flavour of FLAVOURS)
      assert.deepEqual(renderDashboards({ flavour, refresh: '1m' }), renderDashboards({ flavour, refresh: '1m' }));
  });

  it('uses only current panel types, each reading the data source chosen in the datasource variable', () => {
    for (const flavour of FLAVOURS) {
      for (const dashboard of renderDashboards({ flavour })) {
        for (const panel of panelsOf(dashboard)) {
          assert.ok(['timeseries', 'barchart', 'table', 'stat', 'gauge'].includes(panel.type), `${panel.title}: ${panel.type}`);
          assert.deepEqual(panel.datasource, { type: DATASOURCE_PLUGIN[flavour], uid: '${datasource}' });
          assert.ok(panel.targets.length > 0);
          for (const target of panel.targets) assert.deepEqual(target['datasource'], panel.datasource);
        }
      }
    }
  });

  it('writes SQLite queries the way frser-sqlite-datasource reads them: queryText, rawQueryText, timeColumns and query type', () => {
    for (const dashboard of renderDashboards({ flavour: 'sqlite' })) {
      for (const panel of panelsOf(dashboard)) {
        const [target] = panel.targets;
        assert.equal(typeof target!['queryText'], 'string');
        assert.equal(target!['rawQueryText'], target!['queryText']);
        assert.ok(Array.isArray(target!['timeColumns']) && (target!['timeColumns'] as string[]).length > 0);
        assert.equal(target!['queryType'], panel.type === 'timeseries' ? 'time series' : 'table');
        assert.equal(target!['sql'], undefined, 'the Python version sent `sql`, which the plugin ignores');
      }
    }
  });

  it('queries a range for time series and one instant, as a table, for every other panel on Prometheus', () => {
    for (const dashboard of renderDashboards({ flavour: 'prometheus' })) {
      for (const panel of panelsOf(dashboard)) {
        for (const target of panel.targets) {
          const series = panel.type === 'timeseries';
          assert.deepEqual(
            [target['range'], target['instant'], target['format']],
            series ? [true, false, 'time_series'] : [false, true, 'table'],
            panel.title,
          );
        }
      }
    }
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    for (const flavour of FLAVOURS) {
      for (const dashboard of renderDashboards({ flavour })) {
        const cells = new Set<string>();
        for (const { gridPos, title } of panelsOf(dashboard)) {
          assert.ok(gridPos.x >= 0 && gridPos.x + gridPos.w <= 24, title);
          for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
            for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
              assert.ok(!cells.has(`${x},${y}`), `${dashboard.uid}: ${title} overlaps`);
              cells.add(`${x},${y}`);
            }
          }
        }
        assert.deepEqual(
          panelsOf(dashboard).map((panel) => panel.id),
          panelsOf(dashboard).map((_, i) => i + 1),
        );
      }
    }
  });

  it('has the data source, skill and interval variables, with all skills chosen at first', () => {
    const [prometheus] = renderDashboards({ flavour: 'prometheus' });
    const [sqlite] = renderDashboards({ flavour: 'sqlite' });
    for (const [dashboard, plugin] of [
      [prometheus!, 'prometheus'],
      [sqlite!, 'frser-sqlite-datasource'],
    ] as const) {
      const [datasource, skill, interval] = variablesOf(dashboard);
      assert.deepEqual([datasource!.type, datasource!.name, datasource!.query], ['datasource', 'datasource', plugin]);
      assert.deepEqual([skill!.name, skill!.multi, skill!.includeAll, skill!.current?.value], ['skill', true, true, ['$__all']]);
      assert.equal(interval!.name, 'interval');
    }
    assert.equal(variablesOf(prometheus!)[1]!.allValue, '.*');
    assert.equal(variablesOf(sqlite!)[1]!.allValue, undefined, 'SQL lists the skills for all');
    assert.deepEqual(
      variablesOf(sqlite!)[2]!.options!.map((option) => [option.text, option.value]),
      [
        ['1h', '3600'],
        ['6h', '21600'],
        ['1d', '86400'],
      ],
    );
    assert.equal(variablesOf(prometheus!)[2]!.type, 'interval');
  });

  it('selects the provisioned data source and applies the refresh interval', () => {
    const [dashboard] = renderDashboards({
      flavour: 'sqlite',
      refresh: '1m',
      datasource: { uid: 'toolweaver-sqlite', name: 'ToolWeaver SQLite' },
    });
    assert.equal(dashboard!['refresh'], '1m');
    assert.deepEqual(variablesOf(dashboard!)[0]!.current, { selected: true, text: 'ToolWeaver SQLite', value: 'toolweaver-sqlite' });
    assert.equal(variablesOf(renderDashboards({ flavour: 'sqlite' })[0]!)[0]!.current, undefined);
  });

  it('leaves out of a flavour only the panels its data source cannot answer', () => {
    const prometheusTitles = new Set(renderDashboards({ flavour: 'prometheus' }).flatMap((d) => panelsOf(d).map((panel) => panel.title)));
    const missing = DASHBOARDS.flatMap((spec) => spec.panels)
      .filter((panel) => !prometheusTitles.has(panel.title))
      .map((panel) => panel.title);
    // Per-user panels need user labels Prometheus does not have by default; recommendations live in SQLite.
    assert.deepEqual(missing, [
      'Skills per user',
      'Users by number of skills used',
      'Active users per day',
      'New users per day',
      'Calls per active user',
      'Adoption by org',
      'Recommendation effectiveness',
    ]);
    const sqliteCount = renderDashboards({ flavour: 'sqlite' }).reduce((sum, d) => sum + panelsOf(d).length, 0);
    assert.equal(
      sqliteCount,
      DASHBOARDS.reduce((sum, spec) => sum + spec.panels.length, 0),
      'every panel has SQL',
    );
  });

  it('has every panel in the table of docs/grafana.md, with its type and whether Prometheus shows it', () => {
    const doc = readFileSync(new URL('../../../docs/grafana.md', import.meta.url), 'utf8');
    for (const spec of DASHBOARDS) {
      for (const panel of spec.panels) {
        const row = `| ${spec.title} | ${panel.title} | ${panel.kind} | ${(panel.prometheus?.length ?? 0) > 0 ? 'yes' : 'no'} |`;
        assert.ok(doc.includes(row), `docs/grafana.md lacks the row ${row}`);
      }
    }
  });
});
