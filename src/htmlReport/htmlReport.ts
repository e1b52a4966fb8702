import type Database from 'better-sqlite3';
import { chartLibrary } from './chartLibrary.js';
import { CLIENT_SCRIPT } from './clientScript.js';
import { PAGE_STYLE } from './pageStyle.js';
import { type HtmlReportOptions, reportDocument } from './reportDocument.js';
import { scriptJson } from './scriptJson.js';

/**
 * The analytics of `db` over one window as one self-contained HTML page: the reports' answers as a
 * JSON document, uPlot inlined, and the script that draws them. Opening it needs no network. User
 * ids never enter it, and the org id only with `includeIds` (else a pseudonym such as 'org 1').
 * @throws {TypeError|RangeError} on an option a report refuses, naming it.
 */
export function htmlReport(db: Database.Database, options: HtmlReportOptions = {}): string {
  const doc = reportDocument(db, options);
  const library = chartLibrary();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>toolweaver-analytics report</title>
<style>${library.css}</style>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>Skill analytics</h1><p id="scope"></p></header>
<main id="report"></main>
<script type="application/json" id="report-data">${scriptJson(doc)}</script>
<script>${library.script}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
