import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findSourceRow } from '../../renderer/dropped/find-source-row';
import { offendingColumn, showWhitespace, whitespaceParts } from '../../renderer/dropped/offending-field';
import { assignInputs, EMPTY_SLOTS, kindFromName, swapSlots } from '../../renderer/inputs/input-slots';
import { niceMax } from '../../renderer/preview/daily-counts';
import type { ParquetPage, Result } from '../../shared/service-contract';
import { inputInfo } from './fake-client';

const events = inputInfo();
const users = inputInfo({ path: '/d/users.csv', name: 'users.csv', kind: 'users', format: 'csv' });

test('files go to the slot their content says, whatever the order', () => {
  assert.deepEqual(assignInputs(EMPTY_SLOTS, [users, events]), { events, users });
  const one = assignInputs(EMPTY_SLOTS, [users]);
  assert.deepEqual(one, { events: null, users });
  assert.deepEqual(assignInputs(one, [events]), { events, users });
});

test('an unrecognised file fills the empty slot, by name first', () => {
  const odd = inputInfo({ name: 'export.txt', path: '/d/export.txt', kind: 'unknown', format: 'unknown' });
  assert.equal(assignInputs({ events, users: null }, [odd]).users, odd);
  assert.equal(assignInputs(EMPTY_SLOTS, [odd]).events, odd);
  const csvByName = inputInfo({ name: 'people.csv', kind: 'unknown', format: 'unknown' });
  assert.equal(assignInputs(EMPTY_SLOTS, [csvByName]).users, csvByName);
  assert.equal(kindFromName('x.NDJSON'), 'events');
  assert.equal(kindFromName('x.jsonl'), 'events');
  assert.equal(kindFromName('x.parquet'), 'unknown');
});

test('swap', () => {
  assert.deepEqual(swapSlots({ events, users }), { events: users, users: events });
});

test('offending field per reason', () => {
  assert.equal(offendingColumn('missing_user_id'), 'user_id');
  assert.equal(offendingColumn('invalid_timestamp'), 'timestamp');
  assert.equal(offendingColumn('unknown_user'), 'user_id');
  assert.equal(offendingColumn('duplicate'), 'duplicate_of');
  assert.equal(offendingColumn('malformed_record'), 'raw');
  assert.equal(offendingColumn('nonsense'), null);
  assert.equal(offendingColumn(null), null);
});

test('white space around a value is made visible', () => {
  assert.deepEqual(whitespaceParts(' 2025-01-01T00:00:00Z\t'), {
    lead: ' ',
    core: '2025-01-01T00:00:00Z',
    trail: '\t',
  });
  assert.deepEqual(whitespaceParts('u1'), { lead: '', core: 'u1', trail: '' });
  assert.deepEqual(whitespaceParts('   '), { lead: '   ', core: '', trail: '' });
  assert.equal(showWhitespace(' \t\r\n\u00a0'), '␣→↵·');
});

test('binary search for a source_row in input-ordered dropped rows', async () => {
  const sourceRows = [3, 8, 9, 15, 40, 41, 100];
  let reads = 0;
  const load = async (offset: number): Promise<Result<ParquetPage>> => {
    reads++;
    return {
      ok: true,
      value: {
        file: 'dropped_rows.parquet',
        columns: [
          { name: 'drop_reason', type: 'String' },
          { name: 'source_row', type: 'Int64' },
        ],
        totalRows: sourceRows.length,
        bytes: 0,
        codec: 'SNAPPY',
        offset,
        rows: [['x', sourceRows[offset]]],
      },
    };
  };
  for (const [i, r] of sourceRows.entries())
    assert.deepEqual(await findSourceRow(load, r, sourceRows.length), { ok: true, value: i });
  assert.deepEqual(await findSourceRow(load, 10, sourceRows.length), { ok: true, value: null });
  assert.deepEqual(await findSourceRow(load, 1, 0), { ok: true, value: null });
  reads = 0;
  await findSourceRow(load, 100, sourceRows.length);
  assert.ok(reads <= 3);
});

test('nice axis maxima', () => {
  assert.equal(niceMax(0), 1);
  assert.equal(niceMax(7), 10);
  assert.equal(niceMax(130), 200);
  assert.equal(niceMax(4200), 5000);
  assert.equal(niceMax(1000), 1000);
});
