/**
 * The run option "Memory limit" (renderer/run/memory-limit-field.tsx): the same sizes as the
 * command line's --memory-limit, empty for the default, a bad size named on the field and on
 * the Run button's reason. The request it adds is validated again in main by the shared schema
 * (tests/transport/validators.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryLimitField, memoryLimitFromText } from '../../renderer/run/memory-limit-field';
import { whyCannotRun } from '../../renderer/app';
import { validateRequest } from '../../shared/validators';
import { inputInfo } from './fake-client';

test('sizes read as the command line reads them; empty is the default', () => {
  assert.deepEqual(memoryLimitFromText(''), { bytes: undefined, problem: null });
  assert.deepEqual(memoryLimitFromText('  '), { bytes: undefined, problem: null });
  assert.deepEqual(memoryLimitFromText('1.5GB'), { bytes: 1.5e9, problem: null });
  assert.deepEqual(memoryLimitFromText('400MB'), { bytes: 400e6, problem: null });
  assert.deepEqual(memoryLimitFromText('512MiB'), { bytes: 512 * 2 ** 20, problem: null });
  for (const bad of ['lots', '1.5 parsecs', '50MB', '-1GB'])
    assert.match(
      memoryLimitFromText(bad).problem ?? '',
      new RegExp(
        `^The memory limit '${bad.replace('.', '\\.')}' is not a size of at least 100 MB; write it like 1\\.5GB or 400MB`,
      ),
      bad,
    );
});

test('a good limit passes the schema main validates requests with; the field says a bad one', () => {
  const { bytes } = memoryLimitFromText('1GB');
  const parsed = validateRequest('etl:run', { eventsPath: '/e', usersPath: '/u', outDir: '/o', memoryLimit: bytes });
  assert.ok(parsed.ok);
  const good = renderToStaticMarkup(<MemoryLimitField text="1GB" onText={() => {}} disabled={false} />);
  assert.match(good, /<label[^>]*>Memory limit<\/label>/);
  assert.match(good, /value="1GB"/);
  assert.doesNotMatch(good, /aria-invalid/);
  const bad = renderToStaticMarkup(<MemoryLimitField text="lots" onText={() => {}} disabled={false} />);
  assert.match(bad, /aria-invalid="true"/);
  assert.match(bad, /role="alert"[^>]*>The memory limit &#x27;lots&#x27; is not a size/);
  const off = renderToStaticMarkup(<MemoryLimitField text="" onText={() => {}} disabled={true} />);
  assert.match(off, /placeholder="half of this machine&#x27;s memory"/);
  assert.match(off, /disabled=""/);
});

test('Run is not available while the limit is not a size, and says why', () => {
  const events = inputInfo();
  const users = inputInfo({ name: 'users.csv', kind: 'users', format: 'csv' });
  const { problem } = memoryLimitFromText('lots');
  assert.match(whyCannotRun({ events, users }, '/out', false, problem)!, /memory limit 'lots'/);
  assert.equal(whyCannotRun({ events, users }, '/out', false, memoryLimitFromText('2GB').problem), null);
});
