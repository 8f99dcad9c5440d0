/**
 * Browser mode: serves the UI and the engine service on 127.0.0.1 and prints the URL to open
 * (it carries the session token). Runs are hosted in a child Node process.
 * Usage: npm run serve [-- --port 5180] [--out output]
 */
import path from 'node:path';
import { EngineService } from '../service/engine-service';
import { buildRunWorker } from './build';
import { forkRunHost } from '../service/fork-run-host';
import { PathAllowlist } from '../service/path-allowlist';
import { historyDir, RunHistory } from '../service/run-history';
import { browserPlatform } from '../transport/browser-platform';
import { startHttpServer } from '../transport/http-server';
import { createRequestHandlers } from '../transport/request-handlers';

const root = path.resolve(__dirname, '../..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const portText = option('port');
  const port = portText === undefined ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a number from 0 to 65535 (got "${portText}").`);
  const outDir = path.resolve(option('out') ?? path.join(root, 'output'));
  const sampleDir = path.join(root, 'data');

  // Runs are hosted from the bundled worker, as in the packaged app (no tsx in the run process).
  const runWorker = await buildRunWorker();
  const history = new RunHistory(historyDir());
  const service = new EngineService({
    hosts: forkRunHost(runWorker, { echoStderr: true }),
    history: { store: history, source: 'browser' },
  });
  const allowlist = new PathAllowlist();
  // The sample files are granted (read only) when the page asks for the defaults; the output
  // folder is the one place browser mode writes.
  allowlist.allowOutputDir(outDir);
  const { handle } = createRequestHandlers({ service, platform: browserPlatform({ outDir, sampleDir }), allowlist });
  const server = await startHttpServer({
    handle,
    subscribe: (l) => service.onProgress(l),
    allowFile: (f) => allowlist.allowFile(f),
    // Only what the app wrote in the output folder can be downloaded (an exported CSV).
    downloadable: (f) => allowlist.writable(f),
    staticDir: path.join(root, 'dist/renderer'),
    port,
  });
  console.log(`Benefits Engagement ETL is serving on ${server.url}`);
  console.log(`Open: ${server.openUrl}`);
  console.log(`Outputs go to ${outDir}; runs are recorded in ${history.dir}. Press Ctrl+C to stop.`);

  const stop = async () => {
    await service.dispose();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`Could not start browser mode: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
