/** The small typed bridge between the sandboxed page and the main process: `window.etl`. */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createEtlBridge } from './transport/preload-api';

contextBridge.exposeInMainWorld('etl', createEtlBridge(ipcRenderer, webUtils));
