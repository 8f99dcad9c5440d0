/**
 * The real browser-mode server for the attack tests: `startHttpServer` with the real request
 * handlers, allowlist and browser platform, as `npm run serve` wires them; only the engine
 * service is a recorder, so a test can show that a refused request never reached it.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { EngineService } from '../../electron/service/engine-service';
import { PathAllowlist } from '../../electron/service/path-allowlist';
import { browserPlatform } from '../../electron/transport/browser-platform';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../../electron/transport/http-server';
import { createRequestHandlers } from '../../electron/transport/request-handlers';
import type { ProgressEvent } from '../../shared/pipeline';

export interface SecurityServer {
  server: RunningHttpServer;
  /** Service calls that got through, in order. */
  calls: string[];
  /** Sends a progress event to every open event stream. */
  emit(event: ProgressEvent): void;
  root: string;
  outDir: string;
  staticDir: string;
  allowlist: PathAllowlist;
  close(): Promise<void>;
}

export async function startSecurityServer(extra: Partial<HttpServerOptions> = {}): Promise<SecurityServer> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'etl-sec-http-')));
  const outDir = path.join(root, 'out');
  const staticDir = path.join(root, 'ui');
  await mkdir(outDir);
  await mkdir(staticDir);
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>ETL</title>');
  await writeFile(path.join(staticDir, 'main.js'), 'console.log(1)');
  // What a traversal would reach: a file beside the UI folder.
  await writeFile(path.join(root, 'secret.txt'), 'TOP SECRET');
  const calls: string[] = [];
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push(`${name} ${JSON.stringify(args)}`);
      return { ok: true as const, value: { path: String(name) } as never };
    };
  const service = {
    running: false,
    inspectInput: record('inspectInput'),
    run: record('run'),
    cancel: record('cancel'),
    readPage: record('readPage'),
    droppedSummary: record('droppedSummary'),
    exportDroppedCsv: record('exportDroppedCsv'),
    dailyCounts: record('dailyCounts'),
  } as unknown as EngineService;
  const allowlist = new PathAllowlist();
  allowlist.allowOutputDir(outDir);
  const { handle } = createRequestHandlers({
    service,
    platform: browserPlatform({ outDir, sampleDir: path.join(root, 'no-sample') }),
    allowlist,
  });
  const listeners = new Set<(e: ProgressEvent) => void>();
  const server = await startHttpServer({
    handle,
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    allowFile: (f) => allowlist.allowFile(f),
    downloadable: (f) => allowlist.writable(f),
    staticDir,
    ...extra,
  });
  return {
    server,
    calls,
    emit: (e) => listeners.forEach((l) => l(e)),
    root,
    outDir,
    staticDir,
    allowlist,
    close: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request with full control of the request line and headers (fetch would normalise the
 * path and refuse to set Host or Origin), as an attacker's own client would send it.
 */
export function raw(
  server: RunningHttpServer,
  target: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: init.method ?? 'GET',
        path: target,
        headers: { host: `127.0.0.1:${server.port}`, ...init.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
