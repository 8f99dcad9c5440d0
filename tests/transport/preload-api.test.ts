import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHANNEL_METHODS, MENU_COMMAND_CHANNEL, PROGRESS_CHANNEL } from '../../shared/service-contract';
import { createEtlBridge } from '../../electron/transport/preload-api';

function fakeIpc() {
  const invoked: [string, unknown][] = [];
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    invoked,
    listeners,
    ipc: {
      invoke: async (channel: string, payload: unknown) => (
        invoked.push([channel, payload]),
        { ok: true, value: null }
      ),
      on(channel: string, l: (...args: unknown[]) => void) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(l);
        return this;
      },
      removeListener(channel: string, l: (...args: unknown[]) => void) {
        listeners.get(channel)?.delete(l);
        return this;
      },
    },
  };
}

test('the exposed surface is exactly these keys (a new one must show up here)', () => {
  const { ipc } = fakeIpc();
  const bridge = createEtlBridge(ipc as never, { getPathForFile: () => '' });
  assert.deepEqual(Object.keys(bridge).sort(), [
    'cancel',
    'dailyCounts',
    'defaults',
    'droppedSummary',
    'exportDroppedCsv',
    'htmlReport',
    'inspectInput',
    'onMenuCommand',
    'onProgress',
    'outputReport',
    'pathForFile',
    'pickInputs',
    'pickOutputDir',
    'profileColumn',
    'readPage',
    'reopenRun',
    'run',
    'runHistory',
    'showInFolder',
  ]);
  assert.ok(
    Object.values(bridge).every((v) => typeof v === 'function'),
    'only functions: no ipcRenderer, no objects',
  );
});

test('each method invokes its own channel with its payload, and nothing else', async () => {
  const { ipc, invoked } = fakeIpc();
  const bridge = createEtlBridge(ipc as never, { getPathForFile: () => '' });
  for (const [channel, method] of Object.entries(CHANNEL_METHODS)) {
    await (bridge[method] as (p?: unknown) => Promise<unknown>)({ probe: method });
    assert.deepEqual(invoked.at(-1), [channel, { probe: method }]);
  }
});

test('onProgress hands over only the event data and returns its unsubscribe', () => {
  const { ipc, listeners } = fakeIpc();
  const bridge = createEtlBridge(ipc as never, { getPathForFile: () => '' });
  const got: unknown[] = [];
  const off = bridge.onProgress((e) => got.push(e));
  const rawEvent = { sender: { secret: true }, ports: [] };
  for (const l of listeners.get(PROGRESS_CHANNEL)!) l(rawEvent, { type: 'heartbeat', stage: 'extract', elapsedMs: 1 });
  assert.deepEqual(got, [{ type: 'heartbeat', stage: 'extract', elapsedMs: 1 }]);
  off();
  assert.equal(listeners.get(PROGRESS_CHANNEL)!.size, 0);

  const commands: unknown[] = [];
  const offMenu = bridge.onMenuCommand((c) => commands.push(c));
  for (const l of listeners.get(MENU_COMMAND_CHANNEL)!) l(rawEvent, 'run');
  assert.deepEqual(commands, ['run']);
  offMenu();
});

test('pathForFile asks webUtils', () => {
  const { ipc } = fakeIpc();
  const bridge = createEtlBridge(ipc as never, {
    getPathForFile: (f) => `/dropped/${(f as unknown as { name: string }).name}`,
  });
  assert.equal(bridge.pathForFile({ name: 'users.csv' } as unknown as File), '/dropped/users.csv');
});
