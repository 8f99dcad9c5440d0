/**
 * Only the app's own windows, showing the app's own pages, may call the service: a handler
 * first asks this. (Electron Fiddle: "Only accept messages from BrowserWindows created by the app".)
 */
import type { BrowserWindow, IpcMainInvokeEvent, WebContents } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'etl';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export interface SenderCheckDeps {
  /** Electron's `BrowserWindow.fromWebContents`. */
  fromWebContents: (contents: WebContents) => BrowserWindow | null;
  /** The windows this app created. */
  ownWindows: () => Iterable<BrowserWindow>;
}

type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

export function createSenderCheck({ fromWebContents, ownWindows }: SenderCheckDeps): (event: SenderEvent) => boolean {
  return (event) => {
    const win = fromWebContents(event.sender);
    if (!win || ![...ownWindows()].includes(win)) return false;
    const frame = event.senderFrame;
    // A sub-frame (an iframe) or a frame that navigated elsewhere is not our UI.
    if (!frame || frame.parent) return false;
    return isAppUrl(frame.url);
  };
}

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
