/**
 * attachColumns (stages.ts) gives each of the reader's batches the columns a lookup finds, in
 * row order. It joins batches a group at a time; the grouping must never change the result.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pl from 'nodejs-polars';
import { attachColumns, batchGroups } from '../../electron/engine/stages';

describe('batchGroups', () => {
  test('consecutive groups of at most maxRows rows, never empty, covering every batch once', () => {
    assert.deepEqual(batchGroups([3, 3, 3, 3], 6), [
      [0, 2],
      [2, 4],
    ]);
    assert.deepEqual(batchGroups([3, 3, 3], 7), [
      [0, 2],
      [2, 3],
    ]);
    assert.deepEqual(batchGroups([10, 1, 1], 5), [
      [0, 1],
      [1, 3],
    ]);
    assert.deepEqual(batchGroups([], 5), []);
    assert.deepEqual(batchGroups([0, 0, 2], 1), [
      [0, 2],
      [2, 3],
    ]);
  });
});

describe('attachColumns', () => {
  const keys = ['a', 'b', null, 'z', 'a', 'c', 'b', 'q', 'a', 'c', null, 'b', 'a'];
  const table = pl.DataFrame({ key: ['a', 'b', 'c'], n: [1, 2, 3], tag: ['x', 'y', 'z'] });
  const batches = [keys.slice(0, 4), keys.slice(4, 5), keys.slice(5, 11), keys.slice(11)].map((ks, i) =>
    pl.DataFrame({ key: pl.Series('key', ks, pl.Utf8), batch: ks.map(() => i) }),
  );
  const expected = keys.map((k) => (k === 'a' ? [1, 'x'] : k === 'b' ? [2, 'y'] : k === 'c' ? [3, 'z'] : [null, null]));

  for (const groupRows of [1, 4, 6, 7, 1000]) {
    test(`batches joined ${groupRows} rows at a time: same rows, same order, one chunk per batch`, async () => {
      const out = await attachColumns(batches, 'key', table, ['n', 'tag'], groupRows);
      assert.equal(out.length, batches.length);
      out.forEach((b, i) => {
        assert.equal(b.height, batches[i].height);
        assert.deepEqual(b.getColumn('batch').toArray(), batches[i].getColumn('batch').toArray());
        assert.equal(b.getColumn('n').chunkLengths().length, 1);
      });
      const got = out.flatMap((b) => b.rows().map((r) => [r[2], r[3]]));
      assert.deepEqual(got, expected);
    });
  }
});
