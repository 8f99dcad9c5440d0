/**
 * The main-process side of the IPC transport; the only caller of `ipcMain`. Every channel of
 * the map is registered once; each handler checks the sender, then hands the payload to the
 * shared request handlers (validation, allowlist, service), and returns a `Result`.
 */
import path from 'node:path';
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ProgressEvent } from '../../shared/pipeline';
import { DROP_GRANT_CHANNEL, PROGRESS_CHANNEL, type RequestChannel, type Result } from '../../shared/service-contract';
import { REQUEST_SCHEMAS } from '../../shared/validators';

export interface IpcMainDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  isTrustedSender: (event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>) => boolean;
  handle: (channel: string, payload: unknown) => Promise<Result<unknown>>;
}

/** Registers every request channel; returns a function that removes them again. */
export function registerIpcHandlers({ ipcMain, isTrustedSender, handle }: IpcMainDeps): () => void {
  const channels = Object.keys(REQUEST_SCHEMAS) as RequestChannel[];
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, payload: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        return {
          ok: false,
          error: { kind: 'input', message: `Refused ${channel}: the request did not come from the app's own window.` },
        };
      }
      return handle(channel, payload);
    });
  }
  return () => channels.forEach((c) => ipcMain.removeHandler(c));
}

/** Sends each progress event to the app's windows (the raw IPC event never reaches the page). */
export function forwardProgress(
  subscribe: (l: (e: ProgressEvent) => void) => () => void,
  targets: () => Iterable<{ webContents: WebContents }>,
): () => void {
  return subscribe((event) => {
    for (const { webContents } of targets()) {
      if (!webContents.isDestroyed()) webContents.send(PROGRESS_CHANNEL, event);
    }
  });
}

/** At most this many files in one drop are granted. */
export const MAX_DROPPED_FILES = 100;

/** The paths of a drop-grant message, or null when it is not a list of absolute paths. */
export function droppedPaths(payload: unknown): string[] | null {
  if (!Array.isArray(payload) || payload.length === 0 || payload.length > MAX_DROPPED_FILES) return null;
  for (const p of payload) {
    if (typeof p !== 'string' || p.length === 0 || p.length > 4096 || p.includes('\0') || !path.isAbsolute(p))
      return null;
  }
  return payload as string[];
}

export interface DropGrantDeps {
  ipcMain: Pick<IpcMain, 'on' | 'removeListener'>;
  isTrustedSender: (event: Pick<IpcMainEvent, 'sender' | 'senderFrame'>) => boolean;
  /** Grants one dropped file for reading (the allowlist). */
  grant: (path: string) => void;
}

/**
 * Listens on the drop-grant channel, which only the preload's own drop listener sends on
 * (preload-api.ts `listenForDrops`): from the app's own window, a list of absolute paths, each
 * granted for reading. Anything else is ignored. Returns the unsubscribe.
 */
export function registerDropGrants({ ipcMain, isTrustedSender, grant }: DropGrantDeps): () => void {
  const listener = (event: IpcMainEvent, payload: unknown) => {
    if (!isTrustedSender(event)) return;
    for (const p of droppedPaths(payload) ?? []) grant(p);
  };
  ipcMain.on(DROP_GRANT_CHANNEL, listener);
  return () => {
    ipcMain.removeListener(DROP_GRANT_CHANNEL, listener);
  };
}
