import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_OPTIONS, parseGenerateArgs } from '../../electron/generator/generate-options';

test('no flags means the defaults that reproduce data/', () => {
  assert.deepEqual(parseGenerateArgs([]), { kind: 'run', options: DEFAULT_OPTIONS });
  assert.deepEqual(
    {
      events: DEFAULT_OPTIONS.events,
      users: DEFAULT_OPTIONS.users,
      seed: DEFAULT_OPTIONS.seed,
      format: DEFAULT_OPTIONS.format,
      outDir: DEFAULT_OPTIONS.outDir,
    },
    { events: 8934, users: 1000, seed: 42, format: 'json', outDir: 'data' },
  );
});

test('flags as separate words or with =', () => {
  const parsed = parseGenerateArgs([
    '--events',
    '1_000_000',
    '--users=50',
    '--seed',
    '7',
    '--format=ndjson',
    '--out',
    '/tmp/x',
    '--crlf',
    '--bom',
  ]);
  assert.deepEqual(parsed, {
    kind: 'run',
    options: { events: 1_000_000, users: 50, seed: 7, format: 'ndjson', outDir: '/tmp/x', crlf: true, bom: true },
  });
});

test('help', () => {
  assert.deepEqual(parseGenerateArgs(['--help']), { kind: 'help' });
  assert.deepEqual(parseGenerateArgs(['--events', '5', '-h']), { kind: 'help' });
});

test('bad flags give one clear message', () => {
  const cases: [string[], RegExp][] = [
    [['--evnts', '5'], /unknown option "--evnts"/],
    [['--events'], /--events needs a value/],
    [['--events', 'many'], /--events needs a whole number/],
    [['--events', '-5'], /--events needs a whole number/],
    [['--users', '0'], /--users must be between 1/],
    [['--seed', '4294967296'], /--seed must be between 0 and 4294967295/],
    [['--format', 'csv'], /--format must be json or ndjson/],
    [['extra'], /unknown option "extra"/],
  ];
  for (const [argv, message] of cases) {
    const parsed = parseGenerateArgs(argv);
    assert.equal(parsed.kind, 'error', argv.join(' '));
    if (parsed.kind === 'error') {
      assert.match(parsed.message, message);
      assert.ok(!parsed.message.includes('\n'));
    }
  }
});
