/**
 * The small typed bridge between the sandboxed page and the main process: `window.etl`; and the
 * preload's own listener that hands the paths of files the user drops to main (see preload-api.ts).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createEtlBridge, listenForDrops } from './transport/preload-api';

contextBridge.exposeInMainWorld('etl', createEtlBridge(ipcRenderer, webUtils));
listenForDrops(window, ipcRenderer, webUtils);
