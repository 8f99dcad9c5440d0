/**
 * The shareable run report: one self-contained HTML file (`run_report.html` next to
 * run_report.json) that an analyst can send as is. Inline CSS and SVG only, no script, no
 * external resource, and a Content-Security-Policy that forbids both, so even a value that got
 * past the escaping could not run. Every value from the user's files goes through `esc`.
 * Written after each run by the service and the CLI, and on demand from the UI.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DROP_REASONS,
  OUTPUT_FILES,
  STAGE_DROP_REASON,
  STAGE_LABELS,
  type DropReason,
  type RunReport,
} from '../../shared/pipeline';
import type { DroppedSummary } from '../../shared/service-contract';
import { droppedRowsAt, scanDropped } from './dropped-rows';
import { inputError } from '../engine/errors';

export const HTML_REPORT_FILE = 'run_report.html';
/** Example rows per drop reason. */
export const EXAMPLES_PER_REASON = 3;

/** Columns of dropped_rows.parquet shown as examples (docs/rules.md "dropped_rows.parquet"). */
const EXAMPLE_COLUMNS = ['source_row', 'user_id', 'event_type', 'timestamp', 'value', 'device', 'duplicate_of', 'raw'];

export interface HtmlReportData {
  report: RunReport;
  dropped: DroppedSummary;
  /** Up to EXAMPLES_PER_REASON rows per reason, as column → text. */
  examples: Partial<Record<DropReason, Record<string, string | null>[]>>;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n);
const pct = (n: number, of: number) => (of > 0 ? `${((n / of) * 100).toFixed(n / of < 0.001 && n > 0 ? 3 : 1)}%` : '—');

/** One stage's balance: rows in = rows out + dropped, and rows in = the previous stage's rows out. */
export function stageBalance(report: RunReport): { stage: string; ok: boolean; note: string }[] {
  return report.stages.map((s, i) => {
    const dropped = Object.values(s.dropped).reduce((a, b) => a + (b ?? 0), 0);
    const own = s.rows_in === s.rows_out + dropped;
    const prev = i === 0 || report.stages[i - 1].rows_out === s.rows_in;
    const note = !own
      ? `rows in ${fmt(s.rows_in)} ≠ out ${fmt(s.rows_out)} + dropped ${fmt(dropped)}`
      : !prev
        ? `rows in ${fmt(s.rows_in)} ≠ previous stage's out ${fmt(report.stages[i - 1].rows_out)}`
        : `${fmt(s.rows_in)} = ${fmt(s.rows_out)} + ${fmt(dropped)}`;
    return { stage: s.name, ok: own && prev, note };
  });
}

/** The whole report as one HTML document. Pure: everything it shows is in `data`. */
export function buildHtmlReport({ report, dropped, examples }: HtmlReportData): string {
  const input = report.stages[0]?.rows_in ?? 0;
  const clean = report.stages[report.stages.length - 1]?.rows_out ?? 0;
  const durationMs = Date.parse(report.finished_at) - Date.parse(report.started_at);
  const balance = stageBalance(report);
  const allBalanced = balance.every((b) => b.ok);

  const inputs = report.inputs
    .map(
      (
        i,
      ) => `<tr><td>${esc(path.basename(i.path))}</td><td class="num">${fmt(i.rows)}</td><td class="num">${fmt(i.bytes)}</td>
<td><code title="${esc(i.sha256)}">${esc(i.sha256.slice(0, 16))}…</code></td><td class="path">${esc(i.path)}</td></tr>`,
    )
    .join('\n');

  const stages = report.stages
    .map((s, i) => {
      const reason = STAGE_DROP_REASON[s.name];
      const d = s.dropped[reason] ?? s.rows_in - s.rows_out;
      const b = balance[i];
      return `<tr><td>${esc(STAGE_LABELS[s.name] ?? s.name)}</td><td class="num">${fmt(s.rows_in)}</td><td class="num">${fmt(s.rows_out)}</td>
<td class="num">${fmt(d)}</td><td>${esc(reason)}</td><td class="num">${fmt(s.ms)} ms</td>
<td class="${b.ok ? 'ok' : 'bad'}">${b.ok ? '✓' : '✗'} ${esc(b.note)}</td></tr>`;
    })
    .join('\n');

  const outputs = report.outputs
    .map(
      (o) =>
        `<tr><td>${esc(path.basename(o.path))}</td><td class="num">${fmt(o.rows)}</td><td class="num">${fmt(o.bytes)}</td><td>${esc(o.codec)}</td></tr>`,
    )
    .join('\n');

  const reasons = DROP_REASONS.filter((r) => (dropped.byReason[r] ?? 0) > 0)
    .map((r) => {
      const rows = examples[r] ?? [];
      const cols = EXAMPLE_COLUMNS.filter((c) => rows.some((row) => row[c] !== null && row[c] !== undefined));
      const table = rows.length
        ? `<table class="examples"><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>
${rows.map((row) => `<tr>${cols.map((c) => `<td>${row[c] === null || row[c] === undefined ? '<span class="null">null</span>' : esc(row[c])}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`
        : '';
      return `<section class="reason"><h3>${esc(r)} <span class="count">${fmt(dropped.byReason[r] ?? 0)} rows · ${pct(dropped.byReason[r] ?? 0, input)} of input</span></h3>
${table}</section>`;
    })
    .join('\n');

  const patterns = dropped.timestampPatterns.length
    ? `<table><thead><tr><th>Pattern</th><th class="num">Rows</th><th>Example</th></tr></thead><tbody>
${dropped.timestampPatterns.map((p) => `<tr><td>${esc(p.pattern)}</td><td class="num">${fmt(p.count)}</td><td><code>${esc(p.example)}</code></td></tr>`).join('\n')}
</tbody></table>`
    : '<p>No invalid timestamps.</p>';

  const warnings = report.warnings.length
    ? `<ul>${report.warnings.map((w) => `<li><strong>${esc(w.code)}</strong> (${fmt(w.count)}): ${esc(w.message)}</li>`).join('')}</ul>`
    : '<p>None.</p>';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ETL run report · ${esc(report.started_at)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Benefits Engagement ETL · run report</h1>
<p class="meta">Started <time datetime="${esc(report.started_at)}">${esc(report.started_at)}</time>, finished
<time datetime="${esc(report.finished_at)}">${esc(report.finished_at)}</time> (${fmt(durationMs)} ms).
<strong>${fmt(input)}</strong> events in, <strong>${fmt(clean)}</strong> clean (${pct(clean, input)}).
<span class="${allBalanced ? 'ok' : 'bad'}">${allBalanced ? '✓ Every stage balances.' : '✗ Some stages do not balance: see the table.'}</span></p>
</header>
<section><h2>Inputs</h2>
<table><thead><tr><th>File</th><th class="num">Rows</th><th class="num">Bytes</th><th>SHA-256</th><th>Path</th></tr></thead><tbody>
${inputs}
</tbody></table></section>
<section><h2>Stages</h2>
<table id="stages"><thead><tr><th>Stage</th><th class="num">Rows in</th><th class="num">Rows out</th><th class="num">Dropped</th><th>Reason</th><th class="num">Time</th><th>Balance</th></tr></thead><tbody>
${stages}
</tbody></table></section>
<section><h2>Flow</h2>
${flowChart(report)}
</section>
<section><h2>Drop reasons, with examples</h2>
${reasons || '<p>No rows were dropped.</p>'}
</section>
<section><h2>Invalid timestamp patterns</h2>
${patterns}
</section>
<section><h2>Outputs</h2>
<table><thead><tr><th>File</th><th class="num">Rows</th><th class="num">Bytes</th><th>Codec</th></tr></thead><tbody>
${outputs}
</tbody></table></section>
<section><h2>Warnings</h2>
${warnings}
</section>
<footer>Made from run_report.json and dropped_rows.parquet. Self-contained: no scripts, no external files.</footer>
</body>
</html>
`;
}

/** The funnel as inline SVG: a bar per stage, kept rows and the part dropped there. */
function flowChart(report: RunReport): string {
  const input = report.stages[0]?.rows_in ?? 0;
  const W = 560;
  const rowH = 30;
  const labelW = 150;
  const rows = report.stages.map((s, i) => {
    const reason = STAGE_DROP_REASON[s.name];
    const d = s.dropped[reason] ?? s.rows_in - s.rows_out;
    const kept = input > 0 ? (s.rows_out / input) * W : 0;
    const drop = input > 0 && d > 0 ? Math.max(2, (d / input) * W) : 0;
    const y = i * rowH;
    return `<g transform="translate(0 ${y})"><text x="0" y="18">${esc(STAGE_LABELS[s.name] ?? s.name)}</text>
<rect x="${labelW}" y="6" width="${kept.toFixed(1)}" height="16" class="kept"/>
<rect x="${(labelW + kept).toFixed(1)}" y="6" width="${drop.toFixed(1)}" height="16" class="drop"/>
<text x="${labelW + W + 10}" y="18">${fmt(s.rows_out)} (−${fmt(d)})</text></g>`;
  });
  const h = report.stages.length * rowH;
  return `<svg class="flow" viewBox="0 0 ${labelW + W + 170} ${h}" width="100%" role="img" aria-label="Rows kept and dropped at each stage">
${rows.join('\n')}
</svg>`;
}

const CSS = `
:root { color-scheme: light dark; --bg:#ffffff; --fg:#1d2433; --muted:#5b6475; --line:#d5dae3; --ok:#1b7a3d; --bad:#b3261e; --kept:#3b6fd4; --drop:#d9822b; }
@media (prefers-color-scheme: dark) { :root { --bg:#161a22; --fg:#e6e9ef; --muted:#a9b1c1; --line:#3a4150; --ok:#6fd08e; --bad:#ff8a80; } }
html { background: var(--bg); }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 16px 0 6px; }
.meta, .count, footer { color: var(--muted); } .count { font-weight: normal; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; } .num { text-align: right; white-space: nowrap; }
.path { color: var(--muted); font-size: 12px; } .null { color: var(--muted); font-style: italic; }
.ok { color: var(--ok); } .bad { color: var(--bad); font-weight: 600; }
.examples td { font-family: ui-monospace, monospace; font-size: 12px; max-width: 320px; }
svg.flow text { font-size: 13px; fill: currentColor; } svg.flow .kept { fill: var(--kept); } svg.flow .drop { fill: var(--drop); }
footer { margin-top: 32px; font-size: 12px; }
`;

/** Reads what the report needs from an output folder. */
export async function readHtmlReportData(outDir: string): Promise<HtmlReportData> {
  const reportFile = path.join(outDir, OUTPUT_FILES.runReport);
  let report: RunReport;
  try {
    report = JSON.parse(await readFile(reportFile, 'utf8')) as RunReport;
  } catch {
    throw inputError(
      `There is no readable ${OUTPUT_FILES.runReport} in ${outDir}. Run the pipeline first, or choose the output folder of an earlier run.`,
      { file: reportFile },
    );
  }
  // One pass over the file a slice at a time finds the counts and each reason's first rows,
  // which are then read alone: the report is written at the end of a run, inside its memory
  // budget (docs/performance.md "Memory budget").
  const { summary: dropped, firstRows } = await scanDropped(outDir, EXAMPLES_PER_REASON);
  const examples: HtmlReportData['examples'] = {};
  for (const r of DROP_REASONS.filter((r) => (dropped.byReason[r] ?? 0) > 0))
    examples[r] = await droppedRowsAt(outDir, firstRows[r] ?? []);
  return { report, dropped, examples };
}

/** Writes run_report.html into `outDir` (whole: temp file, then rename); resolves to its path and text. */
export async function writeHtmlReport(outDir: string): Promise<{ path: string; html: string }> {
  const html = buildHtmlReport(await readHtmlReportData(outDir));
  const target = path.join(outDir, HTML_REPORT_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temp, html);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw inputError(
      `Could not write ${target}: ${err instanceof Error ? err.message : String(err)}. Check that the output folder is writable and has free space.`,
      { file: target },
    );
  }
  return { path: target, html };
}
