/** Picks the transport: the preload's bridge in the desktop app, HTTP in browser mode. */
import type { EtlClient } from '../../shared/service-contract';
import { createHttpClient } from './http-client';
import { createIpcClient } from './ipc-client';

export function createClient(): EtlClient {
  return typeof window !== 'undefined' && window.etl ? createIpcClient(window.etl) : createHttpClient();
}
