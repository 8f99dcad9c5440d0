/**
 * Browser mode: the same request handlers over HTTP on 127.0.0.1.
 *   POST /api/<channel>   JSON body in, JSON Result out
 *   GET  /api/events      server-sent events of run progress
 *   POST /api/upload?name=<file>   a picked or dropped file, saved in a private temp folder
 *   GET  /...             the built UI (dist/renderer), with the strict CSP
 * Every request needs the per-start random token: `x-etl-token` header, `?token=`, or the
 * cookie set when the page is first opened with `?token=`. Without it: 401.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ProgressEvent } from '../../shared/pipeline';
import type { Result } from '../../shared/service-contract';
import { SECURITY_HEADERS } from './content-security-policy';
import { contentType, staticFilePath } from './static-files';

const COOKIE = 'etl_token';
const MAX_JSON_BYTES = 1024 * 1024;

export interface HttpServerOptions {
  handle: (channel: string, payload: unknown) => Promise<Result<unknown>>;
  subscribe: (listener: (event: ProgressEvent) => void) => () => void;
  /** Allows the service to read an uploaded file. */
  allowFile: (file: string) => void;
  staticDir: string;
  port?: number;
  token?: string;
}

export interface RunningHttpServer {
  url: string;
  /** The URL to open: carries the token once, the server then sets a cookie. */
  openUrl: string;
  port: number;
  token: string;
  uploadDir: string;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const uploadDir = await mkdtemp(path.join(os.tmpdir(), 'etl-uploads-'));
  await chmod(uploadDir, 0o700);
  let uploads = 0;
  const streams = new Set<http.ServerResponse>();
  let port = 0;

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((err) => {
      if (!res.headersSent)
        sendJson(res, 500, {
          ok: false,
          error: { kind: 'internal', message: `The ETL server failed: ${(err as Error).message}. Check its terminal.` },
        });
      else res.end();
    });
  });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Only our own address: a DNS-rebinding page on another name gets nothing.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return sendText(res, 403, 'Forbidden host.');
    const presented = tokenOf(req, url);
    if (!presented || !sameToken(presented, token)) {
      return sendText(
        res,
        401,
        'Missing or wrong session token. Open the URL printed by `npm run serve` (it ends with ?token=...).',
      );
    }
    if (url.searchParams.has('token') && req.method === 'GET' && !url.pathname.startsWith('/api/')) {
      // Trade the token in the URL for a cookie, and drop it from the address bar.
      res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      url.searchParams.delete('token');
      res.writeHead(303, { ...SECURITY_HEADERS, Location: url.pathname + url.search });
      return void res.end();
    }

    if (url.pathname === '/api/events' && req.method === 'GET') return openEventStream(req, res);
    if (url.pathname === '/api/upload') {
      if (req.method !== 'POST') return sendText(res, 405, 'Use POST.');
      return sendJson(res, 200, await saveUpload(req, url.searchParams.get('name') ?? 'upload'));
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return sendText(res, 405, 'Use POST.');
      // JSON only: a cross-site form cannot send it without a (refused) CORS preflight.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return sendText(res, 415, 'Send application/json.');
      const body = await readBody(req, MAX_JSON_BYTES);
      if (body === null) return sendJson(res, 413, refusal('The request body is larger than 1 MB.'));
      let payload: unknown;
      try {
        payload = body.length ? JSON.parse(body.toString('utf8')) : undefined;
      } catch {
        return sendJson(res, 400, refusal('The request body is not valid JSON.'));
      }
      const channel = decodeURIComponent(url.pathname.slice('/api/'.length));
      return sendJson(res, 200, await options.handle(channel, payload));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Use GET.');
    return serveStatic(res, url.pathname);
  }

  function openEventStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    streams.add(res);
    const unsubscribe = options.subscribe((event) => res.write(`event: progress\ndata: ${JSON.stringify(event)}\n\n`));
    // A comment line now and then keeps proxies and idle timeouts from closing the stream.
    const ping = setInterval(() => res.write(': ping\n\n'), 15000);
    req.on('close', () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    });
  }

  async function saveUpload(req: http.IncomingMessage, name: string): Promise<Result<string>> {
    // Keep only a plain file name; each upload gets its own folder so names never clash.
    const safe =
      path
        .basename(name)
        .replace(/[^\w.\- ]/g, '_')
        .slice(0, 200) || 'upload';
    const dir = path.join(uploadDir, String(++uploads));
    await mkdir(dir, { mode: 0o700 });
    const file = path.join(dir, safe);
    try {
      await pipeline(req, createWriteStream(file, { mode: 0o600 }));
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      return refusal(`Uploading ${safe} failed: ${(err as Error).message}. Try again.`);
    }
    options.allowFile(file);
    return { ok: true, value: file };
  }

  async function serveStatic(res: http.ServerResponse, urlPath: string): Promise<void> {
    const file = staticFilePath(options.staticDir, urlPath);
    const body = file ? await readFile(file).catch(() => null) : null;
    if (!file || !body) {
      return sendText(
        res,
        404,
        urlPath === '/'
          ? `No UI found in ${options.staticDir}. Run \`npm run build -- --renderer\` first.`
          : 'Not found.',
      );
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentType(file), 'Cache-Control': 'no-cache' });
    res.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    openUrl: `${url}?token=${token}`,
    port,
    token,
    uploadDir,
    close: async () => {
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(uploadDir, { recursive: true, force: true });
    },
  };
}

function tokenOf(req: http.IncomingMessage, url: URL): string | null {
  const header = req.headers['x-etl-token'];
  if (typeof header === 'string' && header) return header;
  const query = url.searchParams.get('token');
  if (query) return query;
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${COOKIE}=`));
  return cookie ? cookie.slice(COOKIE.length + 1) : null;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function refusal(message: string): Result<never> {
  return { ok: false, error: { kind: 'input', message } };
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify(value));
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
