import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng, WeightedTable } from '../../electron/generator/prng';

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextUint32());

test('the same seed and stream give the same sequence', () => {
  assert.deepEqual(draw(new Rng(42, 'events'), 50), draw(new Rng(42, 'events'), 50));
});

test('another seed or another stream gives another sequence', () => {
  assert.notDeepEqual(draw(new Rng(42, 'events'), 50), draw(new Rng(43, 'events'), 50));
  assert.notDeepEqual(draw(new Rng(42, 'events'), 50), draw(new Rng(42, 'users'), 50));
});

test('next() is in [0, 1) with a mean near 1/2; int() stays inside its bounds', () => {
  const rng = new Rng(7);
  let sum = 0;
  for (let i = 0; i < 100_000; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
  const seen = new Set<number>();
  for (let i = 0; i < 10_000; i++) seen.add(rng.int(3, 6));
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
});

test('WeightedTable follows its weights', () => {
  const table = new WeightedTable<string>([
    ['a', 1],
    ['b', 3],
    ['never', 0],
  ]);
  const rng = new Rng(1);
  let b = 0;
  for (let i = 0; i < 40_000; i++) {
    const x = table.sample(rng);
    assert.notEqual(x, 'never');
    if (x === 'b') b++;
  }
  assert.ok(Math.abs(b / 40_000 - 0.75) < 0.02);
});
