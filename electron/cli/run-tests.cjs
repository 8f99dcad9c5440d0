#!/usr/bin/env node
/**
 * `npm test` / `npm run test:e2e`: lists the test files itself and runs them with Node's test
 * runner, one file at a time. Node 20's `--test` takes no glob, and `$(find …)` needs a POSIX
 * shell, which npm scripts on Windows do not have.
 *
 *   node electron/cli/run-tests.cjs unit [node --test options…]   every tests/**\/*.test.ts(x) but tests/e2e
 *   node electron/cli/run-tests.cjs e2e  [node --test options…]   tests/e2e/**\/*.test.ts
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const TEST_FILE = /\.test\.tsx?$/;

/** Every test file under `dir` (relative to `root`, with forward slashes), sorted. */
function listTests(root, dir) {
  const out = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (TEST_FILE.test(entry.name)) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

/** The files of a suite: 'unit' (all but tests/e2e) or 'e2e'. */
function suiteFiles(root, suite) {
  if (suite === 'e2e') return listTests(root, 'tests/e2e');
  if (suite === 'unit') return listTests(root, 'tests').filter((f) => !f.startsWith('tests/e2e/'));
  throw new Error(`run-tests: unknown suite "${suite}" (use unit or e2e)`);
}

module.exports = { listTests, suiteFiles };

if (require.main === module) {
  const [suite, ...options] = process.argv.slice(2);
  let files;
  try {
    files = suiteFiles(ROOT, suite);
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...options, ...files], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  process.exit(res.status ?? 1);
}
