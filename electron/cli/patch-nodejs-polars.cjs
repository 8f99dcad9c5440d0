#!/usr/bin/env node
/**
 * Run by `npm install` / `npm ci` (package.json "postinstall"). nodejs-polars builds a fresh
 * object literal of some 200 methods for every expression, series and frame it hands out, and
 * the literals begin with computed keys (`[Symbol.toStringTag]`, the inspect symbol). After a
 * computed key V8 defines each remaining property one at a time at run time, so one `pl.col('a')`
 * costs about 0.9 ms instead of 0.02 ms: a few hundred milliseconds of every run (README "Speed
 * and memory"). This moves those members to the end of their literal. The objects keep exactly
 * the same properties and closures; only their definition order changes.
 *
 * Idempotent. If a file no longer looks as expected (another nodejs-polars version), it is left
 * alone with a warning: everything still works, only slower, and tests/engine/polars-patch.test.ts fails.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MARKER = '/* benefits-engagement-etl: computed keys moved last (electron/cli/patch-nodejs-polars.cjs) */';

/** Each wrapper literal: its file (under nodejs-polars/bin) and the line that opens it. */
const TARGETS = [
  { file: 'lazy/expr/index.js', opener: '    return {\n        _expr,\n' },
  { file: 'series/index.js', opener: '    const series = {\n        _s,\n' },
  { file: 'dataframe.js', opener: '    const df = {\n' },
  { file: 'lazy/dataframe.js', opener: '    return {\n        _ldf,\n' },
];

const COMPUTED = /^ {8}(?:\*|get |set |async )?\[/;
const LITERAL_END = '    };';

/** The source with the literal's computed members moved last, or null if it is not as expected. */
function moveComputedLast(source, opener) {
  const at = source.indexOf(opener);
  if (at < 0 || source.indexOf(opener, at + 1) >= 0) return null;
  const bodyStart = at + opener.indexOf('\n') + 1;
  const lines = source.slice(bodyStart).split('\n');
  const end = lines.indexOf(LITERAL_END);
  if (end < 0) return null;
  // Members start at 8 spaces (nested code is deeper); a comment there goes with the member after it.
  const members = [];
  let comment = [];
  for (let i = 0; i < end; i++) {
    const line = lines[i];
    if (/^ {8}\/|^ {9}\*/.test(line)) comment.push(line);
    else if (/^ {8}[^\s})\]]/.test(line)) {
      members.push({ lines: [...comment, line] });
      comment = [];
    } else if (members.length === 0 || comment.length > 0) return null;
    else members[members.length - 1].lines.push(line);
  }
  if (comment.length > 0) return null;
  // Every member ends in a comma, so any of them can come last.
  for (const m of members) {
    const last = m.lines.length - 1;
    if (!m.lines[last].trimEnd().endsWith(',')) m.lines[last] = `${m.lines[last].trimEnd()},`;
  }
  const computed = members.filter((m) => COMPUTED.test(m.lines[0]));
  if (computed.length === 0) return null;
  const plain = members.filter((m) => !COMPUTED.test(m.lines[0]));
  const body = [...plain, ...computed].flatMap((m) => m.lines);
  return source.slice(0, bodyStart) + [...body, ...lines.slice(end)].join('\n');
}

function patch(root) {
  const bin = path.join(root, 'bin');
  let patched = 0;
  for (const { file, opener } of TARGETS) {
    const p = path.join(bin, file);
    let source;
    try {
      source = fs.readFileSync(p, 'utf8');
    } catch {
      process.stderr.write(`patch-nodejs-polars: ${p} not found; nodejs-polars is left as it is (slower, still correct)\n`);
      continue;
    }
    if (source.startsWith(MARKER)) continue;
    const moved = moveComputedLast(source, opener);
    if (moved === null) {
      process.stderr.write(`patch-nodejs-polars: ${p} does not look like nodejs-polars 0.25.2; left as it is (slower, still correct)\n`);
      continue;
    }
    fs.writeFileSync(p, `${MARKER}\n${moved}`);
    patched++;
  }
  return patched;
}

module.exports = { moveComputedLast, patch, MARKER, TARGETS };

if (require.main === module) {
  let root;
  try {
    root = path.dirname(require.resolve('nodejs-polars/package.json', { paths: [path.resolve(__dirname, '../..')] }));
  } catch {
    process.exit(0); // not installed (yet): nothing to do
  }
  patch(root);
}
