#!/usr/bin/env node
/**
 * Run by `npm install` / `npm ci` (package.json "postinstall"): two patches to installed
 * dependencies that change how fast they run, never what they do. Both are measured in
 * docs/performance.md.
 *
 * 1. nodejs-polars builds a fresh object literal of some 200 methods for every expression, series
 *    and frame it hands out, and the literals begin with computed keys (`[Symbol.toStringTag]`,
 *    the inspect symbol). After a computed key V8 defines each remaining property one at a time
 *    at run time, so one `pl.col('a')` costs about 0.9 ms instead of 0.02 ms: a few hundred
 *    milliseconds of every run. The patch moves those members to the end of their literal: the
 *    objects keep exactly the same properties and closures.
 * 2. parquetjs-lite's Thrift decoder (and node-int64, which it uses) call the deprecated
 *    `new Buffer()`, and for every such call from a dependency Node captures a stack trace to
 *    decide whether to warn: reading the three output footers spent about 40 ms on that. The
 *    patch calls what `Buffer()` itself does (`Buffer.alloc` for a size, else `Buffer.from`).
 *
 * Idempotent. A file that no longer looks as expected (another version) is left alone with a
 * warning: everything still works, only slower, and tests/cli/patch-dependencies.test.ts fails.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MARKER = '/* benefits-engagement-etl: patched for speed by electron/cli/patch-dependencies.cjs */';

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

/** `new Buffer(...)` as Node's own `Buffer()` does it, without the deprecation check. */
const LEGACY_BUFFER =
  'const legacyBuffer = (a, b, c) => (typeof a === "number" ? Buffer.alloc(a) : Buffer.from(a, b, c));';

/** The source calling legacyBuffer instead of `new Buffer`, or null if it has no such call. */
function replaceNewBuffer(source) {
  if (!/\bnew Buffer\(/.test(source)) return null;
  const body = source.replace(/\bnew Buffer\(/g, 'legacyBuffer(');
  // After a 'use strict' directive, if there is one, so the file stays in strict mode.
  const strict = /^(\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/\s*)*)(['"]use strict['"];?)/.exec(body);
  return strict ? `${strict[0]}\n${LEGACY_BUFFER}${body.slice(strict[0].length)}` : `${LEGACY_BUFFER}\n${body}`;
}

/** Every patched file: its package, its path there, and how it changes. */
const TARGETS = [
  {
    pkg: 'nodejs-polars',
    file: 'bin/lazy/expr/index.js',
    change: (s) => moveComputedLast(s, '    return {\n        _expr,\n'),
  },
  {
    pkg: 'nodejs-polars',
    file: 'bin/series/index.js',
    change: (s) => moveComputedLast(s, '    const series = {\n        _s,\n'),
  },
  { pkg: 'nodejs-polars', file: 'bin/dataframe.js', change: (s) => moveComputedLast(s, '    const df = {\n') },
  {
    pkg: 'nodejs-polars',
    file: 'bin/lazy/dataframe.js',
    change: (s) => moveComputedLast(s, '    return {\n        _ldf,\n'),
  },
  { pkg: 'parquetjs-lite', file: 'modules/thrift-lite/buffered_transport.js', change: replaceNewBuffer },
  { pkg: 'parquetjs-lite', file: 'modules/thrift-lite/compact_protocol.js', change: replaceNewBuffer },
  { pkg: 'parquetjs-lite', file: 'modules/thrift-lite/framed_transport.js', change: replaceNewBuffer },
  // (The copy parquetjs-lite loads: resolved from its own folder.)
  { pkg: 'node-int64', from: 'parquetjs-lite', file: 'Int64.js', change: replaceNewBuffer },
];

/** Where a target's package is installed, or null. */
function packageRoot(target, projectRoot) {
  try {
    const from = target.from
      ? [path.dirname(require.resolve(`${target.from}/package.json`, { paths: [projectRoot] }))]
      : [projectRoot];
    return path.dirname(require.resolve(`${target.pkg}/package.json`, { paths: from }));
  } catch {
    return null;
  }
}

/** Patches every target under `projectRoot`'s node_modules; returns how many files changed. */
function patch(projectRoot, targets = TARGETS) {
  let patched = 0;
  for (const target of targets) {
    const root = packageRoot(target, projectRoot);
    const p = root && path.join(root, target.file);
    let source;
    try {
      source = fs.readFileSync(p, 'utf8');
    } catch {
      process.stderr.write(
        `patch-dependencies: ${target.pkg}/${target.file} not found; left as it is (slower, still correct)\n`,
      );
      continue;
    }
    if (source.startsWith(MARKER)) continue;
    const changed = target.change(source);
    if (changed === null) {
      process.stderr.write(
        `patch-dependencies: ${p} is not as expected (another version?); left as it is (slower, still correct)\n`,
      );
      continue;
    }
    fs.writeFileSync(p, `${MARKER}\n${changed}`);
    patched++;
  }
  return patched;
}

module.exports = { moveComputedLast, replaceNewBuffer, patch, packageRoot, MARKER, TARGETS };

if (require.main === module) patch(path.resolve(__dirname, '../..'));
