/** Renderer entry: picks the client for this window (IPC in Electron, HTTP in browser mode) and mounts the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { createClient } from './client/create-client';
import { ClientProvider } from './components/client-context';
import './styles/app.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ClientProvider client={createClient()}>
      <App />
    </ClientProvider>
  </StrictMode>,
);
