import type { DashboardJson, RenderOptions } from './model.js';

/**
 * The five dashboards (Usage Trends, Leaderboards, Performance, Adoption, Health) rendered for one
 * data source. Pure: the same options give deep-equal JSON, so provisioning can compare.
 */
export function renderDashboards(options: RenderOptions): DashboardJson[] {
  const suffix = options.flavour === 'prometheus' ? 'prom' : 'sqlite';
  return [
    ['usage-trends', 'Usage Trends'],
    ['leaderboards', 'Leaderboards'],
    ['performance', 'Performance'],
    ['adoption', 'Adoption'],
    ['health', 'Health'],
  ].map(([key, title]) => ({
    uid: `toolweaver-${key}-${suffix}`,
    title: `ToolWeaver ${title}`,
    tags: ['toolweaver'],
    refresh: options.refresh ?? '30s',
    panels: [],
  }));
}
