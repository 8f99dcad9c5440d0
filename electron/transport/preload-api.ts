/**
 * Builds the bridge the preload exposes as `window.etl`: one method per request channel (from
 * the channel map, never an arbitrary channel name), a progress subscription that returns its
 * unsubscribe and hands over only the event's data, and `pathForFile`. Electron's objects are
 * passed in so a test can build it without Electron.
 */
import type { IpcRenderer, IpcRendererEvent, WebUtils } from 'electron';
import type { ProgressEvent } from '../../shared/pipeline';
import {
  channelMethods,
  DROP_GRANT_CHANNEL,
  MENU_COMMAND_CHANNEL,
  PROGRESS_CHANNEL,
  type EtlBridge,
  type MenuCommand,
} from '../../shared/service-contract';

export function createEtlBridge(
  ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>,
  webUtils: Pick<WebUtils, 'getPathForFile'>,
): EtlBridge {
  const subscribe = <T>(channel: string, cb: (value: T) => void) => {
    const listener = (_event: IpcRendererEvent, value: T) => cb(value);
    ipc.on(channel, listener);
    return () => {
      ipc.removeListener(channel, listener);
    };
  };
  return {
    ...channelMethods((channel, payload) => ipc.invoke(channel, payload)),
    onProgress: (cb: (event: ProgressEvent) => void) => subscribe(PROGRESS_CHANNEL, cb),
    onMenuCommand: (cb: (command: MenuCommand) => void) => subscribe(MENU_COMMAND_CHANNEL, cb),
    pathForFile: (file: File) => webUtils.getPathForFile(file),
  };
}

/**
 * The preload's own `drop` listener (capture phase on the window, so it runs before the page's):
 * for a drop the user really made (`isTrusted`; a drop dispatched by script is not), it takes
 * the files' paths from Electron (`webUtils.getPathForFile`, empty for a File built in script)
 * and sends them to main on the drop-grant channel, which main grants for reading. The page
 * never sees this channel. Returns the unsubscribe.
 */
export function listenForDrops(
  target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>,
  ipc: Pick<IpcRenderer, 'send'>,
  webUtils: Pick<WebUtils, 'getPathForFile'>,
): () => void {
  const listener = (event: Event) => {
    if (!event.isTrusted) return;
    const files = (event as DragEvent).dataTransfer?.files;
    if (!files) return;
    const paths = Array.from(files)
      .map((f) => webUtils.getPathForFile(f))
      .filter((p) => typeof p === 'string' && p.length > 0);
    if (paths.length > 0) ipc.send(DROP_GRANT_CHANNEL, paths);
  };
  target.addEventListener('drop', listener, true);
  return () => target.removeEventListener('drop', listener, true);
}
