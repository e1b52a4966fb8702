/**
 * The script of the page, run in the browser: it reads the JSON document and builds every section
 * with createElement and textContent, never innerHTML, so text from the data (skill ids, error
 * types) is shown as text. Charts are uPlot's (inlined before it); each chart keeps its data on
 * `window.reportCharts` and has a caption and a data table as its text alternative.
 */
export const CLIENT_SCRIPT = `
(function () {
  'use strict';
  var doc = JSON.parse(document.getElementById('report-data').textContent);
  var OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var charts = (window.reportCharts = {});
  var main = document.getElementById('report');

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function pct(value) { return value === null || value === undefined ? '–' : (value * 100).toFixed(1) + ' %'; }
  function ms(value) { return value === null || value === undefined ? '–' : Math.round(value) + ' ms'; }
  function num(value) { return value === null || value === undefined ? '–' : String(Math.round(value * 100) / 100); }
  function section(id, title) {
    var node = el('section'); node.id = id; node.setAttribute('aria-labelledby', id + '-title');
    var heading = el('h2', title); heading.id = id + '-title'; node.appendChild(heading);
    main.appendChild(node); return node;
  }
  function table(caption, head, rows, className) {
    var node = el('table', undefined, className);
    node.appendChild(el('caption', caption));
    var tr = el('tr'); head.forEach(function (h) { var th = el('th', h); th.scope = 'col'; tr.appendChild(th); });
    var thead = el('thead'); thead.appendChild(tr); node.appendChild(thead);
    var body = el('tbody');
    rows.forEach(function (row) { var r = el('tr'); row.forEach(function (cell) { r.appendChild(el('td', cell)); }); body.appendChild(r); });
    node.appendChild(body);
    return node;
  }
  function dayTime(day) { return Date.parse(day + 'T00:00:00Z') / 1000; }
  function color(i) { return OKABE_ITO[i % OKABE_ITO.length]; }
  function dash(i) { return DASHES[Math.floor(i / OKABE_ITO.length) % DASHES.length]; }

  /** A uPlot chart in a figure with a caption and its data as a table (the text alternative). */
  function chart(parent, name, caption, opts, data, tableHead, tableRows) {
    var figure = el('figure', undefined, 'chart');
    var box = el('div', undefined, 'plot');
    box.setAttribute('role', 'img');
    box.setAttribute('aria-label', caption + ': the data table below lists every value.');
    figure.appendChild(box);
    figure.appendChild(el('figcaption', caption));
    var details = el('details', undefined, 'data');
    details.appendChild(el('summary', 'Data table'));
    details.appendChild(table(caption, tableHead, tableRows, 'chart-data'));
    figure.appendChild(details);
    parent.appendChild(figure);
    var ink = getComputedStyle(document.body).color;
    (opts.axes || (opts.axes = [{}, {}])).forEach(function (axis) { axis.stroke = ink; axis.grid = { stroke: 'rgba(128,128,128,0.25)' }; axis.ticks = { stroke: 'rgba(128,128,128,0.4)' }; });
    opts.width = Math.max(320, Math.min(960, main.clientWidth - 16));
    opts.height = 280;
    charts[name] = new uPlot(opts, data, box);
  }
  function dailyChart(parent, name, caption, daily, format, yRange) {
    if (daily.series.length === 0) { parent.appendChild(el('p', 'No calls in the window.')); return; }
    var series = [{ label: 'Day', value: function (u, v) { return v === null ? '–' : new Date(v * 1000).toISOString().slice(0, 10); } }];
    daily.series.forEach(function (s, i) {
      series.push({ label: s.skillId, stroke: color(i), dash: dash(i), width: 2, spanGaps: false, points: { show: true },
        value: function (u, v) { return format(v); } });
    });
    var data = [daily.days.map(dayTime)].concat(daily.series.map(function (s) { return s.values; }));
    var scales = { x: { time: true } };
    if (yRange) scales.y = { range: yRange };
    var head = ['Skill'].concat(daily.days);
    var rows = daily.series.map(function (s) { return [s.skillId].concat(s.values.map(format)); });
    var xAxis = { space: 70, values: function (u, ticks) { return ticks.map(function (t) { return new Date(t * 1000).toISOString().slice(5, 10); }); } };
    chart(parent, name, caption, { series: series, scales: scales, axes: [xAxis, { values: function (u, ticks) { return ticks.map(format); } }] }, data, head, rows);
  }

  // Printed, the data tables are the charts' text: open them for the print, close them again after.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    opened = Array.prototype.filter.call(document.querySelectorAll('details.data'), function (d) { return !d.open; });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () { opened.forEach(function (d) { d.open = false; }); opened = []; });

  // Header
  var scope = [doc.window.label + ' (' + doc.window.from + ' to ' + doc.window.to + ' UTC)'];
  if (doc.scope.org !== null) scope.push('org ' + doc.scope.org);
  if (doc.scope.agent !== null) scope.push('agent ' + doc.scope.agent);
  document.getElementById('scope').textContent = scope.join(' · ') + ' · generated ' + doc.generatedAt + ' UTC';

  // Overview
  var o = doc.overview;
  var overview = section('overview', 'Overview');
  var tiles = el('dl', undefined, 'tiles');
  [['Calls', String(o.calls)], ['Success rate', pct(o.successRate)],
   ['Slowest p95', o.slowestP95 === null ? '–' : ms(o.slowestP95.ms) + ' (' + o.slowestP95.skillId + ')'],
   ['Active users', String(o.activeUsers)],
   ['Health', o.averageHealth === null ? 'no skill scored' : num(o.averageHealth) + ' average over ' + o.scoredSkills + ' skills' +
     (o.lowestHealth === null ? '' : '; lowest ' + num(o.lowestHealth.score) + ' (' + o.lowestHealth.skillId + ')')]
  ].forEach(function (pair) { var d = el('div'); d.appendChild(el('dt', pair[0])); d.appendChild(el('dd', pair[1])); tiles.appendChild(d); });
  overview.appendChild(tiles);

  // Usage over time
  dailyChart(section('usage', 'Usage over time'), 'usage', 'Calls per skill per day', doc.usage, function (v) { return v === null ? '–' : String(v); });

  // Success rate and error types
  var quality = section('success', 'Success rate and error types');
  dailyChart(quality, 'successRate', 'Success rate per skill per day', doc.successRate, pct, [0, 1]);
  var types = [];
  doc.latency.forEach(function (s) { Object.keys(s.errors).forEach(function (t) { if (types.indexOf(t) < 0) types.push(t); }); });
  quality.appendChild(table('Failures by error type over the window', ['Skill', 'Calls', 'Error rate'].concat(types),
    doc.latency.map(function (s) { return [s.skillId, s.calls, pct(s.errorRate)].concat(types.map(function (t) { return s.errors[t]; })); })));

  // Latency
  var latency = section('latency', 'Latency percentiles per skill');
  var timed = doc.latency.filter(function (s) { return s.p50 !== null; });
  if (timed.length === 0) latency.appendChild(el('p', 'No timed calls in the window.'));
  else {
    var names = timed.map(function (s) { return s.skillId; });
    // Nested bars, each narrower than the one before: p50 <= p95 <= p99, so all three stay visible.
    var lseries = [{ label: 'Skill', value: function (u, i) { return i === null ? '–' : names[i]; } }];
    ['p50', 'p95', 'p99'].forEach(function (p, i) {
      lseries.push({ label: p, stroke: color(i), fill: color(i), paths: uPlot.paths.bars({ size: [0.7 - 0.25 * i, 60] }),
        value: function (u, v) { return ms(v); } });
    });
    chart(latency, 'latency', 'p50, p95 and p99 latency per skill, ms',
      { series: lseries, scales: { x: { time: false, range: [-0.5, names.length - 0.5] } },
        axes: [{ rotate: -50, size: 120, splits: function () { return names.map(function (n, i) { return i; }); },
          values: function (u, ticks) { return ticks.map(function (i) { var n = names[i]; return n === undefined ? '' : n.length > 20 ? n.slice(0, 19) + '…' : n; }); } },
          { size: 80, values: function (u, ticks) { return ticks.map(function (v) { return v + ' ms'; }); } }] },
      [names.map(function (n, i) { return i; }), timed.map(function (s) { return s.p50; }), timed.map(function (s) { return s.p95; }), timed.map(function (s) { return s.p99; })],
      ['Skill', 'Calls', 'p50', 'p95', 'p99', 'Mean', 'Estimated'],
      timed.map(function (s) { return [s.skillId, s.calls, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.avgMs), s.estimated ? 'yes (few calls)' : 'no']; }));
  }

  // Leaderboards
  var boards = section('leaderboards', 'Leaderboards');
  doc.leaderboards.forEach(function (board) {
    if (board.entries.length === 0) { boards.appendChild(el('p', board.metric + ': no skill qualifies.')); return; }
    boards.appendChild(table('By ' + board.metric.replace('_', ' '), ['Rank', 'Skill', 'Score', 'Change'],
      board.entries.map(function (e) {
        var change = e.rankChange === null ? 'new' : e.rankChange > 0 ? '▲ ' + e.rankChange : e.rankChange < 0 ? '▼ ' + -e.rankChange : '=';
        return [e.rank, e.skillId, num(e.score), change];
      }), 'board'));
  });

  // Health
  var health = section('health', 'Health and its components');
  health.appendChild(table('Health score (0 to 100) and the components it is made of (0 to 1, weights in brackets)',
    ['Skill', 'Score', 'Success', 'Latency', 'Rating', 'Usage', 'Calls', 'Last used', 'Deprecated candidate'],
    doc.health.map(function (s) {
      function part(k) { var v = s.components[k]; return v === undefined ? '–' : num(v) + ' (' + num(s.weights[k]) + ')'; }
      return [s.skillId, s.score === undefined ? 'too few calls' : num(s.score), part('success'), part('latency'), part('rating'), part('usage'),
        s.calls, s.lastUsed === null ? '–' : s.lastUsed, s.deprecatedCandidate ? 'yes' : 'no'];
    })));

  // Adoption
  var a = doc.adoption;
  var adoption = section('adoption', 'Adoption');
  adoption.appendChild(el('p', a.users + ' active users, ' + a.engagedUsers + ' engaged; ' + num(a.averageActiveDays) +
    ' active days per user on average; ' + a.totalOrgs + ' orgs.'));
  adoption.appendChild(table('Users and orgs per skill', ['Skill', 'Users', 'Orgs', 'Org adoption'],
    a.skills.map(function (s) { return [s.skillId, s.users, s.orgs, pct(s.orgAdoptionRate)]; })));
  adoption.appendChild(table('Users by the number of skills they used', ['Skills', 'Users'],
    a.skillsPerUser.map(function (r) { return [r.skills, r.users]; })));

  // Recommendations
  var r = doc.recommendations;
  var recs = section('recommendations', 'Recommendation effectiveness');
  recs.appendChild(el('p', r.logged + ' recommendations logged over ' + r.window + '.'));
  recs.appendChild(table('Recommended skills later used', ['Source', 'Recommended', 'Used', 'Rate'],
    [['all', r.overall], ['co-usage', r.bySource.co_usage], ['trending', r.bySource.trending]].map(function (row) {
      return [row[0], row[1].recommended, row[1].used, pct(row[1].rate)];
    })));
  r.perUser.forEach(function (u) {
    if (u.recommendations.length === 0) { recs.appendChild(el('p', 'Nothing to recommend to ' + u.user + '.')); return; }
    recs.appendChild(table('Recommended now to ' + u.user + ' (not logged)', ['Skill', 'Score', 'Source', 'Why'],
      u.recommendations.map(function (x) { return [x.skillId, num(x.score), x.source, x.reason]; })));
  });
})();
`;
