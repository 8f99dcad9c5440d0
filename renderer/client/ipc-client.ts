/** The EtlClient of the desktop app: a thin wrapper over the preload's `window.etl` bridge. */
import type { EtlBridge, EtlClient } from '../../shared/service-contract';

declare global {
  interface Window {
    /** Set by the preload in the desktop app; absent in browser mode. */
    etl?: EtlBridge;
  }
}

export function createIpcClient(bridge: EtlBridge): EtlClient {
  return {
    defaults: () => bridge.defaults(),
    inspectInput: (path) => bridge.inspectInput({ path }),
    run: (req) => bridge.run(req),
    cancel: () => bridge.cancel(),
    readPage: (req) => bridge.readPage(req),
    droppedSummary: (outDir) => bridge.droppedSummary({ outDir }),
    exportDroppedCsv: (outDir, dropReason) => bridge.exportDroppedCsv(dropReason ? { outDir, dropReason } : { outDir }),
    dailyCounts: (outDir) => bridge.dailyCounts({ outDir }),
    pickInputs: () => bridge.pickInputs(),
    pickOutputDir: () => bridge.pickOutputDir(),
    pathForDroppedFile: async (file) => {
      const path = bridge.pathForFile(file);
      if (!path) {
        return {
          ok: false,
          error: {
            kind: 'input',
            message: `"${file.name}" has no path on disk (was it dragged from another app?). Save it to a folder first, then drop or open it.`,
          },
        };
      }
      return { ok: true, value: path };
    },
    showInFolder: (path) => bridge.showInFolder({ path }),
    profileColumn: (req) => bridge.profileColumn(req),
    runHistory: () => bridge.runHistory(),
    outputReport: (outDir) => bridge.outputReport({ outDir }),
    htmlReport: (outDir) => bridge.htmlReport({ outDir }),
    onProgress: (cb) => bridge.onProgress(cb),
    onMenuCommand: (cb) => bridge.onMenuCommand(cb),
  };
}
