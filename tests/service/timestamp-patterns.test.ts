import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyTimestamp } from '../../electron/service/timestamp-patterns';

test('names how an invalid timestamp is wrong', () => {
  const cases: [string | null, string][] = [
    [null, 'missing'],
    ['', 'empty'],
    ['   ', 'empty'],
    [' 2025-01-01T00:00:00Z', 'surrounding white space'],
    ['true', 'not a string'],
    ['{"t":1}', 'not a string'],
    ['1736000000', 'epoch number'],
    ['1736000000123', 'epoch number'],
    ['2025/01/02 10:00', 'slashes'],
    ['01/02/2025', 'slashes'],
    ['20250115T102345Z', 'basic format'],
    ['20250115', 'basic format'],
    ['2025-W03-2', 'week or ordinal date'],
    ['2025-032', 'week or ordinal date'],
    ['2025-02-30T10:00:00Z', 'impossible date'],
    ['2025-13-01', 'impossible date'],
    ['2025-01-01T24:00:00Z', 'impossible time'],
    ['2025-01-01T10:60', 'impossible time'],
    ['2025-01-01t10:00:00Z', 'bad zone or separator'],
    ['2025-01-01T10:00:00+25:00', 'bad zone or separator'],
    ['Jan 5 2025', 'written-out date'],
    ['soon', 'other'],
  ];
  for (const [raw, pattern] of cases) assert.equal(classifyTimestamp(raw), pattern, JSON.stringify(raw));
});
