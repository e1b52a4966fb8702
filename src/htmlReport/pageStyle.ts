/** The page's CSS: light and dark after prefers-color-scheme, and a print layout without the interactive parts. */
export const PAGE_STYLE = `
:root { color-scheme: light dark; --fg: #1a1a1a; --bg: #ffffff; --muted: #555; --line: #d0d0d0; --tile: #f3f5f8; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8e8e8; --bg: #15181c; --muted: #aaa; --line: #3a3f45; --tile: #1f242a; } }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header, main { max-width: 1000px; margin: 0 auto; padding: 0 16px; }
h1 { margin: 24px 0 4px; font-size: 1.6em; }
h2 { margin-top: 32px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
#scope, figcaption, caption { color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin: 0; }
.tiles div { background: var(--tile); border-radius: 6px; padding: 10px 12px; }
.tiles dt { color: var(--muted); font-size: 0.9em; }
.tiles dd { margin: 2px 0 0; font-size: 1.25em; font-weight: 600; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 12px 0 20px; font-variant-numeric: tabular-nums; }
caption { text-align: left; padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; overflow-wrap: anywhere; }
figure { margin: 12px 0 24px; }
.uplot, .u-legend { color: var(--fg); font-family: inherit; }
.u-legend .u-series > * { padding: 2px 4px; }
.u-legend .u-off > * { opacity: 0.35; }
@media print {
  body { font-size: 11pt; color: #000; background: #fff; }
  section { break-inside: avoid-page; }
  summary, .u-cursor-x, .u-cursor-y, .u-cursor-pt, .u-select { display: none; }
}
`;
