import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addSample,
  formatEta,
  formatRowRate,
  MAX_SAMPLES,
  RATE_WINDOW_MS,
  readRate,
  type ReadSample,
} from '../../renderer/run/read-rate';

const MB = 1 << 20;

test('no estimate until the samples span some time with bytes read', () => {
  assert.equal(readRate([], 100 * MB), null);
  assert.equal(readRate([{ ms: 100, bytes: MB, rows: 10 }], 100 * MB), null);
  // 50 ms apart: too short to trust.
  assert.equal(
    readRate(
      [
        { ms: 100, bytes: MB, rows: 10 },
        { ms: 150, bytes: 2 * MB, rows: 20 },
      ],
      100 * MB,
    ),
    null,
  );
  // Time passed but nothing was read (a stall): no rate, rather than an infinite ETA.
  assert.equal(
    readRate(
      [
        { ms: 0, bytes: MB, rows: 10 },
        { ms: 1000, bytes: MB, rows: 10 },
      ],
      100 * MB,
    ),
    null,
  );
});

test('a steady 10 MB/s with 25 MB left is 2.5 s left, with the rows per second', () => {
  const samples: ReadSample[] = [];
  for (let i = 0; i <= 10; i++) samples.push({ ms: i * 500, bytes: i * 5 * MB, rows: i * 50_000 });
  const r = readRate(samples, 75 * MB)!;
  assert.equal(r.bytesPerSec, 10 * MB);
  assert.equal(r.rowsPerSec, 100_000);
  assert.equal(r.etaMs, 2500);
});

test('the rate follows the last few seconds, not the whole past', () => {
  // Slow (1 MB/s) for 10 s, then fast (20 MB/s) for 4 s.
  const samples: ReadSample[] = [];
  let bytes = 0;
  for (let ms = 0; ms <= 10_000; ms += 500) samples.push({ ms, bytes: (bytes = (ms / 1000) * MB), rows: 0 });
  const slowEnd = bytes;
  for (let ms = 10_500; ms <= 14_000; ms += 500)
    samples.push({ ms, bytes: slowEnd + ((ms - 10_000) / 1000) * 20 * MB, rows: 0 });
  const r = readRate(samples, 200 * MB)!;
  assert.ok(RATE_WINDOW_MS <= 4000, 'the window lies inside the fast part');
  assert.equal(r.bytesPerSec, 20 * MB);
});

test('addSample keeps the list short and ignores repeats of the same moment', () => {
  let s: ReadSample[] = [];
  s = addSample(s, { ms: 10, bytes: 1, rows: 1 });
  // The service's heartbeat repeats the last position with the same time.
  assert.equal(addSample(s, { ms: 10, bytes: 1, rows: 1 }), s);
  for (let i = 1; i <= MAX_SAMPLES + 5; i++) s = addSample(s, { ms: 10 + i, bytes: i, rows: i });
  assert.equal(s.length, MAX_SAMPLES);
  assert.equal(s[s.length - 1].ms, 10 + MAX_SAMPLES + 5);
});

test('time left and speed read as a person would say them', () => {
  assert.equal(formatEta(1500), 'a moment left');
  assert.equal(formatEta(7400), 'about 7 s left');
  assert.equal(formatEta(42_000), 'about 40 s left');
  assert.equal(formatEta(150_000), 'about 3 min left');
  assert.equal(formatRowRate(1_240_000), '1.2 M rows/s');
  assert.equal(formatRowRate(420_400), '420 k rows/s');
  assert.equal(formatRowRate(950), '950 rows/s');
});
