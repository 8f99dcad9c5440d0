/**
 * Hands the EtlClient to every screen. Screens never construct a client: main.tsx picks the
 * real one (IPC or HTTP), tests pass a fake.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { EtlClient } from '../../shared/service-contract';

const ClientContext = createContext<EtlClient | null>(null);

export function ClientProvider({ client, children }: { client: EtlClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): EtlClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient() needs a <ClientProvider> above it');
  return client;
}
