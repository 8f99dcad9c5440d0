/**
 * The application menu. Commands that belong to the UI (open inputs, run, cancel) are sent to
 * the focused window as typed `MenuCommand`s; the page does the work through its client.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/service-contract';

export function buildMenuTemplate(
  send: (command: MenuCommand) => void,
  opts: { isMac: boolean; isDev: boolean },
): MenuItemConstructorOptions[] {
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open Inputs…', accelerator: 'CmdOrCtrl+O', click: () => send('open-inputs') },
      { label: 'Choose Output Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: () => send('choose-output-dir') },
      { type: 'separator' },
      opts.isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const run: MenuItemConstructorOptions = {
    label: 'Run',
    submenu: [
      { label: 'Run Pipeline', accelerator: 'CmdOrCtrl+R', click: () => send('run') },
      { label: 'Cancel Run', accelerator: 'CmdOrCtrl+.', click: () => send('cancel') },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(opts.isDev ? [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  };
  return [
    ...(opts.isMac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    run,
    view,
    { role: 'windowMenu' },
  ];
}
