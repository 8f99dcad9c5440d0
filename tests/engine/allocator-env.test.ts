/**
 * The engine's malloc settings (allocator-env.ts) are plain environment variables that glibc
 * reads at start-up and ignores silently when misspelt, so this proves they do what they are
 * there for: in a Node started with them, a large block freed and asked for again is reused,
 * where without them each one is mapped afresh and every page of it faulted in again (what
 * cost a 1,000,000-event run about 55,000 page faults).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { withAllocatorEnv } from '../../electron/engine/allocator-env';
import values from '../../electron/engine/allocator-env.json';

const ROUNDS = 20;
const BLOCK = 40 << 20; // above the largest size glibc's adaptive threshold ever serves from its arenas
const PAGES_PER_BLOCK = BLOCK / 4096;

/** Page faults while a Node process allocates, fills and frees a 40 MiB buffer 20 times. */
function pageFaults(env: NodeJS.ProcessEnv): number {
  const script = `
    const before = process.resourceUsage().minorPageFault;
    for (let i = 0; i < ${ROUNDS}; i++) {
      let b = Buffer.alloc(${BLOCK}, 1);
      b = null;
      globalThis.gc();
    }
    process.stdout.write(String(process.resourceUsage().minorPageFault - before));`;
  // Single-threaded GC: V8 otherwise frees array buffers on a background thread, which on a busy
  // machine may not have run before the next round asks for its block.
  const r = spawnSync(process.execPath, ['--expose-gc', '--single-threaded-gc', '-e', script], {
    env,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

function withoutSettings(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(values)) delete env[k];
  return env;
}

/** The engine's settings but for huge pages, so that page faults count 4 KiB pages. */
function settingsWithoutHugePages(): NodeJS.ProcessEnv {
  const { GLIBC_TUNABLES: _, ...env } = withAllocatorEnv(withoutSettings());
  return env;
}

/** Whether this system gives transparent huge pages only where asked (`madvise`): as here. */
function hugePagesOnRequest(): boolean {
  try {
    return /\[madvise\]/.test(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'));
  } catch {
    return false;
  }
}

describe('allocator settings', { skip: process.platform !== 'linux' && 'glibc settings: Linux only' }, () => {
  test('a large block freed is reused, not mapped and faulted in afresh', () => {
    // Without the settings every round faults in the whole block again (which also shows the
    // measure tells the difference here); with them, at most the first rounds do.
    assert.ok(pageFaults(withoutSettings()) >= (ROUNDS / 2) * PAGES_PER_BLOCK);
    assert.ok(pageFaults(settingsWithoutHugePages()) <= 3 * PAGES_PER_BLOCK);
  });

  test(
    'malloc asks for huge pages',
    { skip: !hugePagesOnRequest() && 'transparent huge pages are not in madvise mode here' },
    () => {
      // One 2 MiB page where there were 512 of 4 KiB, give or take pages the system could not spare.
      assert.ok(pageFaults(withAllocatorEnv(withoutSettings())) * 10 < pageFaults(settingsWithoutHugePages()));
    },
  );

  test('a value the user set wins', () => {
    const env = withAllocatorEnv({ MALLOC_ARENA_MAX: '8', PATH: '/bin' });
    assert.equal(env.MALLOC_ARENA_MAX, '8');
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, values.MALLOC_MMAP_THRESHOLD_);
    assert.equal(env.PATH, '/bin');
  });
});
