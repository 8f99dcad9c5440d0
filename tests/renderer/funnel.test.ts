import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildFunnel, stepWidths } from '../../renderer/run/funnel';
import { initialRunState, runReducer } from '../../renderer/run/run-state';
import { sampleReport } from './fake-client';

test('no funnel before the first stage finishes', () => {
  assert.equal(buildFunnel(initialRunState().stages), null);
});

test('funnel of a whole run: input, clean events and each reason share', () => {
  const s = runReducer(initialRunState(), { type: 'result', result: { ok: true, value: sampleReport() } });
  const f = buildFunnel(s.stages)!;
  assert.equal(f.input, 1000);
  assert.equal(f.output, 600);
  assert.equal(f.complete, true);
  assert.deepEqual(
    f.steps.map((x) => [x.reason, x.dropped, x.share]),
    [
      ['malformed_record', 10, 0.01],
      ['missing_user_id', 30, 0.03],
      ['invalid_timestamp', 60, 0.06],
      ['duplicate', 50, 0.05],
      ['unknown_user', 50, 0.05],
      ['non_us_user', 200, 0.2],
    ],
  );
  const shares = f.steps.reduce((a, x) => a + x.share, 0);
  assert.ok(Math.abs(shares + f.output / f.input - 1) < 1e-9);
});

test('partial funnel while running', () => {
  const r = sampleReport();
  let s = runReducer(initialRunState(), { type: 'start', request: { eventsPath: 'a', usersPath: 'b', outDir: 'c' } });
  s = runReducer(s, { type: 'progress', event: { type: 'stage-finished', stage: r.stages[0] } });
  const f = buildFunnel(s.stages)!;
  assert.equal(f.complete, false);
  assert.equal(f.steps.length, 1);
  assert.equal(f.output, 990);
});

test('bar widths scale against the input and keep tiny drops visible', () => {
  assert.deepEqual(stepWidths({ rowsOut: 500, dropped: 500 }, 1000, 400), { kept: 200, dropped: 200 });
  assert.equal(stepWidths({ rowsOut: 999_999, dropped: 1 }, 1_000_000, 400).dropped, 2);
  assert.equal(stepWidths({ rowsOut: 10, dropped: 0 }, 10, 400).dropped, 0);
  assert.deepEqual(stepWidths({ rowsOut: 0, dropped: 0 }, 0, 400), { kept: 0, dropped: 0 });
});
