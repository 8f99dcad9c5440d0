/**
 * Stands in for the `electron` module inside the page, for the desktop e2e harness: the real
 * preload (electron/preload.ts) is bundled with `electron` resolved to this file. Only what
 * cannot run outside Electron is here: `ipcRenderer` (its calls go to bindings the harness
 * exposes, which reach the real main-process wiring in the test's Node process),
 * `contextBridge` and `webUtils.getPathForFile`.
 */
type Listener = (event: unknown, ...args: unknown[]) => void;

interface HarnessWindow {
  __etlIpcInvoke(channel: string, payload: unknown): Promise<unknown>;
  __etlIpcSend(channel: string, payload: unknown): Promise<void>;
  /** Called by the harness for each webContents.send from main. */
  __etlIpcEmit?: (channel: string, payload: unknown) => void;
  /** The paths of the files the OS drop the harness is making, by file name. */
  __etlOsDropPaths?: Record<string, string>;
}

const w = window as unknown as HarnessWindow & Record<string, unknown>;
const listeners = new Map<string, Set<Listener>>();

w.__etlIpcEmit = (channel, payload) => {
  for (const l of listeners.get(channel) ?? []) l({}, payload);
};

export const ipcRenderer = {
  invoke: (channel: string, payload?: unknown) => w.__etlIpcInvoke(channel, payload),
  send: (channel: string, payload?: unknown) => void w.__etlIpcSend(channel, payload),
  on(channel: string, listener: Listener) {
    if (!listeners.has(channel)) listeners.set(channel, new Set());
    listeners.get(channel)!.add(listener);
    return ipcRenderer;
  },
  removeListener(channel: string, listener: Listener) {
    listeners.get(channel)?.delete(listener);
    return ipcRenderer;
  },
};

/**
 * Electron answers with the path of a File the OS handed to the page, and '' for a File built in
 * script. The harness drops real files through the browser (trusted events) and says which paths
 * it dropped; this records the Files of trusted drops (by name, size and modification time, which
 * a File built in script does not share) and answers only for them.
 */
const osFiles = new Map<string, string>();
const fileKey = (f: File) => `${f.name}\0${f.size}\0${f.lastModified}`;
window.addEventListener(
  'drop',
  (event) => {
    if (!event.isTrusted) return;
    for (const f of Array.from(event.dataTransfer?.files ?? [])) {
      const p = w.__etlOsDropPaths?.[f.name];
      if (p) osFiles.set(fileKey(f), p);
    }
  },
  true,
);

export const webUtils = {
  getPathForFile: (file: File) => osFiles.get(fileKey(file)) ?? '',
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown) {
    w[key] = Object.freeze(api);
  },
};
