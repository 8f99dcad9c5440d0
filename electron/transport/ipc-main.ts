/**
 * The main-process side of the IPC transport; the only caller of `ipcMain`. Every channel of
 * the map is registered once; each handler checks the sender, then hands the payload to the
 * shared request handlers (validation, allowlist, service), and returns a `Result`.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ProgressEvent } from '../../shared/pipeline';
import { PROGRESS_CHANNEL, type RequestChannel, type Result } from '../../shared/service-contract';
import { REQUEST_SCHEMAS } from '../../shared/validators';

export interface IpcMainDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
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
