/** The EtlClient of the desktop app: a thin wrapper over the preload's `window.etl` bridge. */
import { CHANNEL_METHODS, channelMethods, type EtlBridge, type EtlClient } from '../../shared/service-contract';

declare global {
  interface Window {
    /** Set by the preload in the desktop app; absent in browser mode. */
    etl?: EtlBridge;
  }
}

export function createIpcClient(bridge: EtlBridge): EtlClient {
  // The bridge has the same channel methods; calling them through the map keeps `this` out of it.
  const call = (channel: keyof typeof CHANNEL_METHODS, payload?: unknown) =>
    (bridge[CHANNEL_METHODS[channel]] as (p?: unknown) => Promise<unknown>)(payload);
  return {
    ...channelMethods(call),
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
    onProgress: (cb) => bridge.onProgress(cb),
    onMenuCommand: (cb) => bridge.onMenuCommand(cb),
  };
}
