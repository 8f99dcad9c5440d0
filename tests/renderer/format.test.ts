import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  baseName,
  formatBytes,
  formatCell,
  formatCodec,
  formatCount,
  formatDuration,
  formatPercent,
} from '../../renderer/lib/format';

test('counts', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(null), '—');
});

test('codec: as the footer states it, and a file with no chunks says it has none', () => {
  assert.equal(formatCodec('SNAPPY'), 'SNAPPY');
  assert.equal(formatCodec(null), 'none (no rows, so no column chunks)');
});

test('bytes', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(5 * 1024 * 1024), '5.0 MB');
  assert.equal(formatBytes(undefined), '—');
});

test('durations', () => {
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(2300), '2.3 s');
  assert.equal(formatDuration(65_000), '1 min 5 s');
  assert.equal(formatDuration(null), '—');
});

test('percent', () => {
  assert.equal(formatPercent(1, 8), '12.5%');
  assert.equal(formatPercent(1, 10_000), '<0.1%');
  assert.equal(formatPercent(0, 10), '0.0%');
  assert.equal(formatPercent(1, 0), '—');
});

test('cells: instants readable in UTC, dates as they are, nulls distinct from empty', () => {
  assert.equal(formatCell('2025-01-15T10:23:45.123456Z', 'Datetime(us, UTC)'), '2025-01-15 10:23:45.123456 UTC');
  assert.equal(formatCell('2025-01-15T10:23:45+00:00', 'Datetime(us, UTC)'), '2025-01-15 10:23:45 UTC');
  assert.equal(formatCell('2025-01-15T10:23:45.000000Z', 'Datetime(us, UTC)'), '2025-01-15 10:23:45 UTC');
  assert.equal(formatCell('2025-01-15T10:23:45.260000Z', 'Datetime(us, UTC)'), '2025-01-15 10:23:45.26 UTC');
  assert.equal(formatCell('2025-01-15', 'Date'), '2025-01-15');
  // A timestamp string column is the original text: shown untouched.
  assert.equal(formatCell('2025-01-15T10:23:45Z', 'String'), '2025-01-15T10:23:45Z');
  assert.equal(formatCell(null, 'String'), '—');
  assert.equal(formatCell('', 'String'), '');
  assert.equal(formatCell(3.5, 'Float64'), '3.5');
  assert.equal(formatCell(12345, 'Int64'), '12,345');
  assert.equal(formatCell(true), 'true');
});

test('base names on both separators', () => {
  assert.equal(baseName('/a/b/raw_events.json'), 'raw_events.json');
  assert.equal(baseName('C:\\data\\users.csv'), 'users.csv');
});
