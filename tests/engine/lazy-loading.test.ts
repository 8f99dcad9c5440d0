/**
 * A run starts its scan threads first and needs Polars and parquetjs-lite only later, so
 * loading the engine must not load them (they take about 65 ms together: docs/performance.md
 * memory"). Checked in a fresh process, as the command line loads it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '../..');

test('loading the pipeline loads neither nodejs-polars nor parquetjs-lite; the first use of pl does', () => {
  const script = `
    const { runPipeline } = require('./electron/engine/pipeline');
    const loaded = () => Object.keys(require.cache).filter((k) => /node_modules[\\\\/](nodejs-polars|parquetjs-lite)[\\\\/]/.test(k)).length;
    const before = loaded();
    const pl = require('./electron/engine/polars').default;
    const df = pl.DataFrame({ a: [1, 2] });
    console.log(JSON.stringify({ runPipeline: typeof runPipeline, before, after: loaded(), height: df.height }));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  const seen = JSON.parse(out.trim().split('\n').pop()!) as {
    runPipeline: string;
    before: number;
    after: number;
    height: number;
  };
  assert.equal(seen.runPipeline, 'function');
  assert.equal(seen.before, 0, 'nodejs-polars or parquetjs-lite was loaded with the engine');
  assert.ok(seen.after > 0, 'the first use of pl loads nodejs-polars');
  assert.equal(seen.height, 2);
});
