import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserWindow, IpcMainInvokeEvent, WebContents } from 'electron';
import { PROGRESS_CHANNEL } from '../../shared/service-contract';
import { REQUEST_SCHEMAS } from '../../shared/validators';
import { forwardProgress, registerIpcHandlers } from '../../electron/transport/ipc-main';
import { createSenderCheck, isAppUrl } from '../../electron/transport/sender-check';

/** Fake windows and frames, just enough for the sender check. */
function world() {
  const ours = { id: 1 } as unknown as BrowserWindow;
  const stranger = { id: 2 } as unknown as BrowserWindow;
  const contents = new Map<object, BrowserWindow>();
  const sender = (win: BrowserWindow | null) => {
    const wc = {} as WebContents;
    if (win) contents.set(wc, win);
    return wc;
  };
  const check = createSenderCheck({ fromWebContents: (wc) => contents.get(wc) ?? null, ownWindows: () => [ours] });
  const event = (win: BrowserWindow | null, url: string | null, parent: object | null = null) =>
    ({ sender: sender(win), senderFrame: url === null ? null : { url, parent } }) as unknown as IpcMainInvokeEvent;
  return { ours, stranger, check, event };
}

test('the sender check accepts only our window showing our app:// page in its main frame', () => {
  const { ours, stranger, check, event } = world();
  assert.equal(check(event(ours, 'app://etl/index.html')), true);
  assert.equal(check(event(stranger, 'app://etl/index.html')), false, 'a window the app did not create');
  assert.equal(check(event(null, 'app://etl/index.html')), false, 'not a window at all');
  assert.equal(check(event(ours, 'https://evil.example/')), false, 'our window, navigated elsewhere');
  assert.equal(check(event(ours, 'file:///tmp/x.html')), false);
  assert.equal(check(event(ours, 'app://other/index.html')), false);
  assert.equal(check(event(ours, 'app://etl/index.html', {})), false, 'a sub-frame');
  assert.equal(check(event(ours, null)), false, 'a frame that is gone');
  assert.equal(isAppUrl('not a url'), false);
});

test('every channel is registered, and an untrusted sender is refused before validation or the service', async () => {
  const handlers = new Map<string, (e: IpcMainInvokeEvent, p: unknown) => Promise<unknown>>();
  const ipcMain = {
    handle: (c: string, h: never) => void handlers.set(c, h),
    removeHandler: (c: string) => void handlers.delete(c),
  };
  const handled: [string, unknown][] = [];
  const { ours, stranger, check, event } = world();
  const unregister = registerIpcHandlers({
    ipcMain: ipcMain as never,
    isTrustedSender: check,
    handle: async (c, p) => (handled.push([c, p]), { ok: true, value: 'done' }),
  });
  assert.deepEqual([...handlers.keys()].sort(), Object.keys(REQUEST_SCHEMAS).sort());

  const refused = (await handlers.get('etl:run')!(event(stranger, 'app://etl/index.html'), { eventsPath: '/x' })) as {
    ok: boolean;
    error: { message: string };
  };
  assert.equal(refused.ok, false);
  assert.match(refused.error.message, /Refused etl:run: the request did not come from the app's own window/);
  assert.deepEqual(handled, []);

  assert.deepEqual(await handlers.get('etl:cancel')!(event(ours, 'app://etl/index.html'), undefined), {
    ok: true,
    value: 'done',
  });
  assert.deepEqual(handled, [['etl:cancel', undefined]]);
  unregister();
  assert.equal(handlers.size, 0);
});

test('progress goes to the windows as plain data on the progress channel', () => {
  const sent: [string, unknown][] = [];
  const target = {
    webContents: {
      isDestroyed: () => false,
      send: (c: string, v: unknown) => sent.push([c, v]),
    } as unknown as WebContents,
  };
  let emit!: (e: never) => void;
  forwardProgress(
    (l) => ((emit = l as never), () => {}),
    () => [target],
  );
  emit({ type: 'heartbeat', stage: 'extract', elapsedMs: 5 } as never);
  assert.deepEqual(sent, [[PROGRESS_CHANNEL, { type: 'heartbeat', stage: 'extract', elapsedMs: 5 }]]);
});
