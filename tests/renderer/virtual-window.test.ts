import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PageCache } from '../../renderer/components/page-cache';
import { MAX_SCROLL_PX, pagesFor, scrollTopForRow, visibleWindow } from '../../renderer/components/virtual-window';

test('small tables map 1 px to 1 px', () => {
  const w = visibleWindow({ scrollTop: 280, viewportHeight: 280, rowHeight: 28, totalRows: 1000, overscan: 2 });
  assert.equal(w.start, 8);
  assert.equal(w.end, 10 + 11 + 2);
  assert.equal(w.offsetTop, 8 * 28);
  assert.equal(w.spacerHeight, 28_000);
});

test('empty table renders nothing', () => {
  assert.deepEqual(visibleWindow({ scrollTop: 0, viewportHeight: 300, rowHeight: 28, totalRows: 0 }), {
    start: 0,
    end: 0,
    spacerHeight: 0,
    offsetTop: 0,
  });
});

test('millions of rows: spacer capped, scrolling to the end shows the last row', () => {
  const total = 5_000_000;
  const viewportHeight = 560;
  const top = visibleWindow({ scrollTop: 0, viewportHeight, rowHeight: 28, totalRows: total, overscan: 0 });
  assert.equal(top.spacerHeight, MAX_SCROLL_PX);
  assert.equal(top.start, 0);
  const bottom = visibleWindow({
    scrollTop: MAX_SCROLL_PX - viewportHeight,
    viewportHeight,
    rowHeight: 28,
    totalRows: total,
    overscan: 0,
  });
  assert.equal(bottom.end, total);
  // At the very end the last row's bottom is the viewport's bottom.
  const lastBottom = bottom.offsetTop + (bottom.end - bottom.start) * 28;
  assert.ok(Math.abs(lastBottom - MAX_SCROLL_PX) < 1e-6, `last row ends at ${lastBottom}`);
  const mid = visibleWindow({
    scrollTop: (MAX_SCROLL_PX - viewportHeight) / 2,
    viewportHeight,
    rowHeight: 28,
    totalRows: total,
    overscan: 0,
  });
  assert.ok(Math.abs(mid.start - total / 2) < 50);
});

test('scrollTopForRow inverts visibleWindow', () => {
  for (const total of [1000, 5_000_000]) {
    for (const row of [0, 123, Math.floor(total / 3)]) {
      const top = scrollTopForRow(row, 560, 28, total);
      const w = visibleWindow({ scrollTop: top, viewportHeight: 560, rowHeight: 28, totalRows: total, overscan: 0 });
      assert.ok(Math.abs(w.start - row) <= 1, `${total} ${row} -> ${w.start}`);
    }
  }
});

test('pages covering a row range', () => {
  assert.deepEqual(pagesFor(0, 30, 200), [0]);
  assert.deepEqual(pagesFor(190, 230, 200), [0, 1]);
  assert.deepEqual(pagesFor(5, 5, 200), []);
});

test('page cache keeps the most recently used pages', () => {
  const c = new PageCache<string>(2);
  c.set(0, 'a');
  c.set(1, 'b');
  c.get(0);
  c.set(2, 'c');
  assert.equal(c.has(1), false);
  assert.equal(c.get(0), 'a');
  assert.equal(c.get(2), 'c');
  assert.equal(c.size, 2);
  c.clear();
  assert.equal(c.size, 0);
});
