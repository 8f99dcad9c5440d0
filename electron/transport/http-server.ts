/**
 * Browser mode: the same request handlers over HTTP on 127.0.0.1.
 *   POST   /api/<channel>            JSON body in, JSON Result out
 *   GET    /api/events?token=<T>     server-sent events of run progress
 *   POST   /api/upload?name=<file>   a picked or dropped file, saved in a private temp folder
 *   DELETE /api/upload?path=<path>   an upload the page replaced, deleted
 *   GET    /api/download?path=<path> a file the app wrote in the output folder, as a download
 *   GET    /...                      the built UI (dist/renderer), with the strict CSP
 *
 * Who may call (docs/security.md has the reasoning):
 *   - only requests to our own Host (no DNS rebinding);
 *   - /api/* only from our own origin: a browser's `Origin` and `Sec-Fetch-Site`, when sent,
 *     must say so; and only with the token in the `x-etl-token` header, which the page sends
 *     itself (EventSource cannot send a header, so /api/events takes it as `?token=`). No cookie
 *     is accepted on /api/*: cookies go to every port of 127.0.0.1.
 *   - the UI files: the token, or the `etl_page` cookie set by the token exchange. That cookie
 *     is a separate random key that opens only the (public) UI files, never /api/*.
 * The token exchange (`GET /?token=T`, the URL `npm run serve` prints) always redirects to `/`,
 * handing the page its token in the fragment, which is never sent to any server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, statfs } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ProgressEvent } from '../../shared/pipeline';
import type { Result } from '../../shared/service-contract';
import { SECURITY_HEADERS } from './content-security-policy';
import { contentType, staticFilePath } from './static-files';

const PAGE_COOKIE = 'etl_page';
const MAX_JSON_BYTES = 1024 * 1024;
const GIB = 1024 ** 3;
/** All live uploads together: room for a 50M-event file (7 GB) and a few 10M-event ones (1.4 GB each). */
export const DEFAULT_UPLOAD_BUDGET_BYTES = 16 * GIB;
/** Free space an upload must leave on its disk, for the run's outputs and the system. */
export const DEFAULT_MIN_FREE_BYTES = 1 * GIB;
/** Open progress streams: one per page, a few more for reloads; the oldest gives way. */
export const DEFAULT_MAX_EVENT_STREAMS = 8;

export interface HttpServerOptions {
  handle: (channel: string, payload: unknown) => Promise<Result<unknown>>;
  subscribe: (listener: (event: ProgressEvent) => void) => () => void;
  /** Allows the service to read an uploaded file. */
  allowFile: (file: string) => void;
  /** The canonical path of a file the page may download (one the app wrote in an output folder), or null. */
  downloadable?: (file: string) => string | null;
  staticDir: string;
  port?: number;
  token?: string;
  /** All uploads together may take at most this many bytes. */
  uploadBudgetBytes?: number;
  /** An upload must leave this much free space on the upload folder's disk. */
  minFreeBytes?: number;
  /** Free bytes on the disk holding `dir`; `fs.statfs` unless a test says otherwise. */
  freeBytes?: (dir: string) => Promise<number>;
  maxEventStreams?: number;
}

export interface RunningHttpServer {
  url: string;
  /** The URL to open: carries the token once; the server redirects to `/` and the page keeps it. */
  openUrl: string;
  port: number;
  token: string;
  uploadDir: string;
  close(): Promise<void>;
}

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const pageKey = randomBytes(24).toString('base64url');
  const uploadBudget = options.uploadBudgetBytes ?? DEFAULT_UPLOAD_BUDGET_BYTES;
  const minFree = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
  const freeBytes = options.freeBytes ?? diskFreeBytes;
  const maxStreams = options.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS;
  const uploadDir = await mkdtemp(path.join(os.tmpdir(), 'etl-uploads-'));
  await chmod(uploadDir, 0o700);
  let uploadCount = 0;
  /** Live uploads and their sizes (or the bytes reserved while one is arriving). */
  const uploads = new Map<string, number>();
  const uploadedBytes = () => [...uploads.values()].reduce((a, b) => a + b, 0);
  const streams = new Set<http.ServerResponse>();
  let port = 0;

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((err) => {
      if (err instanceof HttpRefusal) return refuseAndClose(req, res, err.status, err.message);
      console.error(`Browser mode: ${req.method} ${req.url} failed:`, err);
      if (!res.headersSent)
        sendJson(res, 500, {
          ok: false,
          error: {
            kind: 'internal',
            message: `The ETL server failed: ${(err as Error).message}. Its terminal shows the details.`,
          },
        });
      else res.end();
    });
  });

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Only our own address: a DNS-rebinding page on another name gets nothing.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return sendText(res, 403, 'Forbidden host.');

    if (url.pathname.startsWith('/api/')) {
      const foreign = foreignOrigin(req, host);
      if (foreign) return refuseAndClose(req, res, 403, foreign);
      const presented = headerToken(req) ?? (url.pathname === '/api/events' ? url.searchParams.get('token') : null);
      if (!presented || !sameToken(presented, token)) return refuseAndClose(req, res, 401, MISSING_TOKEN);
      return handleApi(req, res, url);
    }

    const query = url.searchParams.get('token');
    if (query !== null && req.method === 'GET') {
      if (!sameToken(query, token)) return sendText(res, 401, MISSING_TOKEN);
      // The token exchange: always to `/` (never to a path taken from the request, so never to
      // `//evil.example`), with the token in the fragment, which the page reads and keeps.
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        'Set-Cookie': `${PAGE_COOKIE}=${pageKey}; HttpOnly; SameSite=Strict; Path=/`,
        'Cache-Control': 'no-store',
        Location: `/#token=${encodeURIComponent(token)}`,
      });
      return void res.end();
    }
    const header = headerToken(req);
    const cookie = cookieValue(req, PAGE_COOKIE);
    if (!(header && sameToken(header, token)) && !(cookie && sameToken(cookie, pageKey)))
      return sendText(res, 401, MISSING_TOKEN);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Use GET.');
    return serveStatic(res, url.pathname);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') return sendText(res, 405, 'Use GET.');
      return openEventStream(req, res);
    }
    if (url.pathname === '/api/upload') {
      if (req.method === 'POST') return sendJson(res, 200, await saveUpload(req, url.searchParams.get('name') ?? ''));
      if (req.method === 'DELETE') return sendJson(res, 200, await discardUpload(url.searchParams.get('path') ?? ''));
      return refuseAndClose(req, res, 405, 'Use POST to upload, DELETE to discard an upload.');
    }
    if (url.pathname === '/api/download') {
      if (req.method !== 'GET') return sendText(res, 405, 'Use GET.');
      return sendDownload(res, url.searchParams.get('path') ?? '');
    }
    if (req.method !== 'POST') return refuseAndClose(req, res, 405, 'Use POST.');
    let channel: string;
    try {
      channel = decodeURIComponent(url.pathname.slice('/api/'.length));
    } catch {
      return refuseAndClose(req, res, 400, `The channel name in ${url.pathname} has a malformed % escape.`);
    }
    // JSON only: a cross-site form cannot send it without a (refused) CORS preflight.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      return refuseAndClose(req, res, 415, 'Send application/json.');
    const tooLarge = 'The request body is larger than 1 MB.';
    if (declaredLength(req) > MAX_JSON_BYTES) throw new HttpRefusal(413, tooLarge);
    const body = await readBody(req, MAX_JSON_BYTES);
    if (body === null) throw new HttpRefusal(413, tooLarge);
    let payload: unknown;
    try {
      payload = body.length ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      return sendJson(res, 400, refusal('The request body is not valid JSON.'));
    }
    return sendJson(res, 200, await options.handle(channel, payload));
  }

  function openEventStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    // A bounded number of streams: a new one (a reloaded page) closes the oldest.
    while (streams.size >= maxStreams) {
      const oldest = streams.values().next().value!;
      streams.delete(oldest);
      oldest.end();
    }
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
    const done = () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
  }

  async function saveUpload(req: http.IncomingMessage, name: string): Promise<Result<string>> {
    // Keep only a plain file name; each upload gets its own folder so names never clash.
    const safe =
      path
        .basename(name.replace(/\\/g, '/'))
        .replace(/[^\w.\- ]/g, '_')
        .replace(/^\.+/, '_')
        .slice(0, 200) || 'upload';
    const room = Math.min(uploadBudget - uploadedBytes(), (await freeBytes(uploadDir)) - minFree);
    const declared = declaredLength(req);
    if (declared > room || room <= 0) throw new HttpRefusal(413, uploadTooLarge(safe, declared, room));
    const dir = path.join(uploadDir, String(++uploadCount));
    const file = path.join(dir, safe);
    // Reserve the room now, so uploads arriving together cannot overbook the budget.
    uploads.set(file, Number.isFinite(declared) ? declared : room);
    await mkdir(dir, { mode: 0o700 });
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > room) callback(new HttpRefusal(413, uploadTooLarge(safe, received, room)));
        else callback(null, chunk);
      },
    });
    try {
      await pipeline(req, limit, createWriteStream(file, { mode: 0o600 }));
    } catch (err) {
      uploads.delete(file);
      await rm(dir, { recursive: true, force: true });
      if (err instanceof HttpRefusal) throw err;
      return refusal(`Uploading ${safe} failed: ${(err as Error).message}. Try again.`);
    }
    uploads.set(file, received);
    options.allowFile(file);
    return { ok: true, value: file };
  }

  /** Deletes one of our own uploads, which the page replaced with another file. */
  async function discardUpload(file: string): Promise<Result<null>> {
    if (!uploads.has(file)) return refusal(`"${file}" is not an upload of this session.`);
    uploads.delete(file);
    await rm(path.dirname(file), { recursive: true, force: true });
    return { ok: true, value: null };
  }

  async function sendDownload(res: http.ServerResponse, requested: string): Promise<void> {
    const file = options.downloadable?.(requested) ?? null;
    const info = file ? await stat(file).catch(() => null) : null;
    if (!file || !info?.isFile())
      return sendJson(res, 404, refusal(`"${requested}" is not a file this app wrote in the output folder.`));
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': contentType(file),
      'Content-Length': String(info.size),
      'Content-Disposition': `attachment; filename="${path.basename(file).replace(/[^\w.\- ]/g, '_')}"`,
      'Cache-Control': 'no-store',
    });
    // A reader that leaves mid-file is not a server failure.
    await pipeline(createReadStream(file), res).catch(() => undefined);
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

const MISSING_TOKEN =
  'Missing or wrong session token. Open the URL printed by `npm run serve` (it ends with ?token=...).';

/** Why a browser request comes from another origin (another port, another site), or null. */
function foreignOrigin(req: http.IncomingMessage, host: string): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`)
    return `Requests from ${origin} are refused: only the page served here may call the API.`;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin')
    return `A ${site} request is refused: only the page served here may call the API.`;
  return null;
}

function headerToken(req: http.IncomingMessage): string | null {
  const header = req.headers['x-etl-token'];
  return typeof header === 'string' && header ? header : null;
}

function cookieValue(req: http.IncomingMessage, name: string): string | null {
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${name}=`));
  return cookie ? cookie.slice(name.length + 1) : null;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The declared body size; NaN when the body is chunked (its size shows only as it arrives). */
function declaredLength(req: http.IncomingMessage): number {
  const text = req.headers['content-length'];
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
}

async function diskFreeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

function uploadTooLarge(name: string, bytes: number, room: number): string {
  const size = Number.isFinite(bytes) ? `${name} (${formatBytes(bytes)}${bytes > room ? ' or more' : ''})` : name;
  return room <= 0
    ? `Uploading ${name} was refused: there is no room left for uploads (the budget is used, or the disk is nearly full). Restart \`npm run serve\` to clear earlier uploads, or free disk space.`
    : `Uploading ${size} was refused: only ${formatBytes(room)} is left for uploads (the budget, or the disk's free space less a reserve). Free disk space, or restart \`npm run serve\` to clear earlier uploads.`;
}

function formatBytes(n: number): string {
  if (n >= GIB) return `${(n / GIB).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${n} bytes`;
}

/** Reads the body, or null as soon as it passes `limit` (the rest is not read). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Answers and closes the connection without reading the rest of the body: an oversized or
 * refused request costs us only the bytes already in flight.
 */
function refuseAndClose(req: http.IncomingMessage, res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) {
    req.socket?.destroy();
    return;
  }
  res.shouldKeepAlive = false;
  const body = JSON.stringify(refusal(message));
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  // Stop reading: what the client still sends waits in its own buffers, not in our memory.
  req.pause();
  const socket = req.socket;
  res.end(body, () => {
    // Let the client read the answer (a close at once could reset it first), then cut it off.
    socket?.end();
    setTimeout(() => socket?.destroy(), 2000).unref();
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
