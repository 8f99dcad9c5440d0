/**
 * Dropping files on the desktop window: the preload's own listener takes only drops the user
 * made (trusted events), asks Electron for the files' paths, and sends them to main, which
 * grants exactly those for reading. A drop dispatched by script, or a File built in script,
 * grants nothing. Runs the real preload code and the real main wiring (`wireDesktop`) with an
 * in-process stand-in for the ipcRenderer/ipcMain pair.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserWindow, IpcMain, IpcRenderer, WebContents } from 'electron';
import { DROP_GRANT_CHANNEL, type InputInfo, type Result } from '../../shared/service-contract';
import { forkRunHost } from '../../electron/service/fork-run-host';
import { wireDesktop, type DesktopWiring } from '../../electron/transport/desktop-wiring';
import { droppedPaths, MAX_DROPPED_FILES } from '../../electron/transport/ipc-main';
import { createEtlBridge, listenForDrops } from '../../electron/transport/preload-api';

let tmp: string;
let eventsFile: string;
let wiring: DesktopWiring;
let dispose: () => Promise<void>;

/** A stand-in ipcMain/ipcRenderer pair; the sender is our window at app://etl unless told otherwise. */
function ipcPair() {
  const handlers = new Map<string, (event: unknown, payload: unknown) => unknown>();
  const listeners = new Map<string, (event: unknown, payload: unknown) => void>();
  const ourContents = { send: () => undefined, isDestroyed: () => false } as unknown as WebContents;
  const ourWindow = { webContents: ourContents } as unknown as BrowserWindow;
  let senderUrl = 'app://etl/index.html';
  const event = () => ({ sender: ourContents, senderFrame: { url: senderUrl, parent: null } });
  const ipcMain = {
    handle: (c: string, h: (event: unknown, payload: unknown) => unknown) => void handlers.set(c, h),
    removeHandler: (c: string) => void handlers.delete(c),
    on: (c: string, l: (event: unknown, payload: unknown) => void) => (listeners.set(c, l), ipcMain),
    removeListener: (c: string) => (listeners.delete(c), ipcMain),
  };
  const ipcRenderer = {
    invoke: async (c: string, payload: unknown) => handlers.get(c)!(event(), payload),
    send: (c: string, payload: unknown) => listeners.get(c)?.(event(), payload),
    on: () => ipcRenderer,
    removeListener: () => ipcRenderer,
  };
  return {
    ipcMain: ipcMain as unknown as IpcMain,
    ipcRenderer: ipcRenderer as unknown as IpcRenderer,
    ourContents,
    ourWindow,
    setSenderUrl: (u: string) => (senderUrl = u),
  };
}

/** A window-like target that records the preload's listener, so a test can hand it any event. */
function recordingTarget() {
  const target = new EventTarget();
  const captured: ((e: Event) => void)[] = [];
  const add = target.addEventListener.bind(target);
  target.addEventListener = ((type: string, l: (e: Event) => void, options?: boolean) => {
    if (type === 'drop' && options === true) captured.push(l);
    add(type, l, options);
  }) as typeof target.addEventListener;
  return { target, captured };
}

/** A File-like object (Node 20 has no File global in every version); Electron's path table is a Map. */
function fakeFile(name: string) {
  return { name } as unknown as File;
}

const pair = ipcPair();
const paths = new Map<File, string>();
const webUtils = { getPathForFile: (f: File) => paths.get(f) ?? '' };
const bridge = createEtlBridge(pair.ipcRenderer, webUtils);
const { target, captured } = recordingTarget();

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'etl-drop-grant-'));
  eventsFile = path.join(tmp, 'raw_events.json');
  await writeFile(eventsFile, '[{"user_id":"u1","event_type":"login","timestamp":"2025-01-15T10:00:00Z"}]');
  wiring = wireDesktop({
    ipcMain: pair.ipcMain,
    fromWebContents: (wc) => (wc === pair.ourContents ? pair.ourWindow : null),
    windows: () => [pair.ourWindow],
    focusedWindow: () => pair.ourWindow,
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
    shell: { showItemInFolder: () => undefined },
    hosts: forkRunHost(),
    userData: path.join(tmp, 'user-data'),
    documents: path.join(tmp, 'documents'),
    sampleDir: path.join(tmp, 'no-sample'),
    env: {},
  });
  dispose = () => wiring.dispose();
  listenForDrops(target, pair.ipcRenderer, webUtils);
});

after(async () => {
  await dispose?.();
  await rm(tmp, { recursive: true, force: true });
});

const inspect = () => bridge.inspectInput({ path: eventsFile }) as Promise<Result<InputInfo>>;

test('before any drop, the page cannot read the file', async () => {
  const res = await inspect();
  assert.equal(res.ok, false);
  assert.match(!res.ok ? res.error.message : '', /was not chosen in this app/);
});

test('a drop dispatched by script (not trusted) grants nothing, even with a real path', async () => {
  const file = fakeFile('raw_events.json');
  paths.set(file, eventsFile);
  const drop = new Event('drop');
  Object.defineProperty(drop, 'dataTransfer', { value: { files: [file] } });
  assert.equal(drop.isTrusted, false);
  target.dispatchEvent(drop);
  assert.equal(captured.length, 1, 'the preload listens in the capture phase');
  assert.equal((await inspect()).ok, false);
});

test('a trusted drop of a File built in script (no path on disk) grants nothing', async () => {
  const built = fakeFile('raw_events.json'); // Electron gives '' for it
  captured[0]({ isTrusted: true, dataTransfer: { files: [built] } } as unknown as Event);
  assert.equal((await inspect()).ok, false);
});

test('the page cannot grant: the bridge has no drop-grant method, and a foreign frame is ignored', async () => {
  assert.ok(!Object.values(bridge).some((v) => typeof v === 'function' && /grant/i.test(v.name)));
  assert.ok(!Object.keys(bridge).some((k) => /grant/i.test(k)));
  pair.setSenderUrl('https://evil.example/');
  pair.ipcRenderer.send(DROP_GRANT_CHANNEL, [eventsFile]);
  pair.setSenderUrl('app://etl/index.html');
  assert.equal((await inspect()).ok, false);
});

test('a trusted drop of a file on disk grants exactly that file for reading', async () => {
  const file = fakeFile('raw_events.json');
  paths.set(file, eventsFile);
  captured[0]({ isTrusted: true, dataTransfer: { files: [file] } } as unknown as Event);
  const res = await inspect();
  assert.equal(res.ok, true, JSON.stringify(res));
  assert.equal(res.ok && res.value.kind, 'events');
  // Only that file: its neighbour is still refused.
  const neighbour = path.join(tmp, 'users.csv');
  await writeFile(neighbour, 'user_id,signup_date,country\n');
  assert.equal((await bridge.inspectInput({ path: neighbour })).ok, false);
});

test('main accepts only a list of absolute paths on the drop-grant channel', () => {
  const abs = path.resolve(tmp, 'a.json');
  assert.deepEqual(droppedPaths([abs]), [abs]);
  assert.equal(droppedPaths([]), null);
  assert.equal(droppedPaths('x'), null);
  assert.equal(droppedPaths(['relative/a.json']), null);
  assert.equal(droppedPaths([abs, 7]), null);
  assert.equal(droppedPaths([`${abs}\0`]), null);
  assert.equal(droppedPaths(Array.from({ length: MAX_DROPPED_FILES + 1 }, () => abs)), null);
});
