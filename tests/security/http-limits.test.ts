/**
 * What one caller can make the real server store or hold: uploads (names, sizes, the budget,
 * free space, replacement), JSON bodies, static-file traversal, and event-stream floods.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { raw, startSecurityServer, type SecurityServer } from './security-server';

const BUDGET = 64 * 1024;
let s: SecurityServer;
let free = Number.MAX_SAFE_INTEGER;
before(async () => {
  s = await startSecurityServer({ uploadBudgetBytes: BUDGET, minFreeBytes: 1000, freeBytes: async () => free });
});
after(() => s.close());

const origin = () => `http://127.0.0.1:${s.server.port}`;
const auth = () => ({ 'x-etl-token': s.server.token, origin: origin(), 'sec-fetch-site': 'same-origin' });

async function upload(name: string, body: string | Buffer) {
  const res = await raw(s.server, `/api/upload?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/octet-stream' },
    body,
  });
  return {
    status: res.status,
    result: JSON.parse(res.body) as { ok: boolean; value?: string; error?: { message: string } },
  };
}

/** Every file under the upload folder, relative to it. */
async function storedUploads(): Promise<string[]> {
  const entries = await readdir(s.server.uploadDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(s.server.uploadDir, path.join(e.parentPath, e.name)));
}

async function discard(p: string) {
  const res = await raw(s.server, `/api/upload?path=${encodeURIComponent(p)}`, { method: 'DELETE', headers: auth() });
  return JSON.parse(res.body) as { ok: boolean; error?: { message: string } };
}

/**
 * Sends `declared` as Content-Length but only `sent` bytes, then waits for the answer: an
 * answer proves the server decided on the header, without waiting for (or reading) the body.
 */
function declareAndWait(target: string, headers: Record<string, string>, declared: number, sent: number) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: s.server.port,
        method: 'POST',
        path: target,
        headers: { ...headers, 'content-length': String(declared) },
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(Buffer.alloc(sent, 0x20));
  });
}

/**
 * Streams chunks with no Content-Length until the server cuts the request off; resolves with
 * how many bytes the client managed to send. A server that never cut it off would hang here.
 */
function streamUntilCut(target: string, headers: Record<string, string>) {
  return new Promise<{ sent: number; status: number | null }>((resolve) => {
    let sent = 0;
    let status: number | null = null;
    let settled = false;
    const req = http.request({
      host: '127.0.0.1',
      port: s.server.port,
      method: 'POST',
      path: target,
      headers: { ...headers, 'transfer-encoding': 'chunked' },
      agent: false,
    });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const finish = () => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve({ sent, status });
    };
    req.on('response', (res) => {
      status = res.statusCode ?? null;
      res.resume();
      res.on('end', finish);
      res.on('close', finish);
    });
    req.on('error', finish);
    req.on('close', finish);
    // Writes as long as the socket takes them, then again once it drains.
    const pump = () => {
      while (!settled) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

test('upload names with .., NUL bytes, absolute and Windows paths land inside the upload folder, renamed', async () => {
  for (const name of [
    '../../evil.json',
    '..',
    '.',
    'a\0b.json',
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    '..\\..\\x.csv',
    '.bashrc',
    '',
  ]) {
    const { status, result } = await upload(name, '[]');
    assert.equal(status, 200, JSON.stringify(name));
    assert.equal(result.ok, true, JSON.stringify(name));
    const file = result.value!;
    assert.equal(path.dirname(path.dirname(file)), s.server.uploadDir, JSON.stringify(name));
    assert.match(path.basename(file), /^[\w\- ][\w.\- ]*$/, `${JSON.stringify(name)} -> ${path.basename(file)}`);
    assert.equal(await readFile(file, 'utf8'), '[]');
    assert.equal(s.allowlist.readable(file), file, 'the upload becomes readable to the service');
    assert.equal(s.allowlist.writable(file), null, 'but is not a place to write');
    assert.ok((await discard(file)).ok);
  }
  assert.equal((await stat(s.server.uploadDir)).mode & 0o777, 0o700);
  assert.deepEqual(await storedUploads(), []);
});

test('an upload declared over the budget is refused at once, before its body is read', async () => {
  const res = await declareAndWait(
    '/api/upload?name=huge.json',
    { ...auth(), 'content-type': 'application/octet-stream' },
    10 * 1024 ** 3,
    1024,
  );
  assert.equal(res.status, 413);
  assert.match(
    JSON.parse(res.body).error.message,
    /Uploading huge\.json \(10\.0 GB or more\) was refused: only .* is left for uploads/,
  );
  assert.deepEqual(await storedUploads(), []);
});

test('an upload that streams past the budget is cut off, and nothing of it is kept', async () => {
  const { sent } = await streamUntilCut('/api/upload?name=endless.json', {
    ...auth(),
    'content-type': 'application/octet-stream',
  });
  assert.ok(sent > BUDGET, 'the server read past the budget before it cut the stream');
  assert.deepEqual(await storedUploads(), []);
  // The budget is whole again: an upload that fits is taken.
  assert.equal((await upload('fits.json', Buffer.alloc(BUDGET - 1))).result.ok, true);
});

test('the budget counts every live upload; discarding a replaced upload frees its share', async () => {
  for (const f of await storedUploads()) assert.ok((await discard(path.join(s.server.uploadDir, f))).ok);
  const first = await upload('events.json', Buffer.alloc(BUDGET * 0.75));
  assert.equal(first.result.ok, true);
  const second = await upload('events-v2.json', Buffer.alloc(BUDGET * 0.5));
  assert.equal(second.status, 413, 'the two together are over the budget');
  assert.deepEqual(await storedUploads(), [path.relative(s.server.uploadDir, first.result.value!)]);
  // The page replaced the first file: it discards it, and the new one fits.
  assert.ok((await discard(first.result.value!)).ok);
  await assert.rejects(stat(first.result.value!), { code: 'ENOENT' });
  const third = await upload('events-v2.json', Buffer.alloc(BUDGET * 0.5));
  assert.equal(third.result.ok, true);
  // Only our own uploads can be discarded: not an output, not any other file.
  await writeFile(path.join(s.outDir, 'keep.csv'), 'x');
  for (const p of [path.join(s.outDir, 'keep.csv'), '/etc/passwd', s.server.uploadDir, `${third.result.value}/..`]) {
    assert.match((await discard(p)).error?.message ?? '', /is not an upload of this session/, p);
  }
  assert.equal(await readFile(path.join(s.outDir, 'keep.csv'), 'utf8'), 'x');
  assert.ok((await discard(third.result.value!)).ok);
});

test('an upload is refused when the disk would be left with less than the reserve', async () => {
  free = 1000 + 100; // 100 bytes above the reserve
  try {
    const res = await upload('events.json', Buffer.alloc(200));
    assert.equal(res.status, 413);
    assert.match(res.result.error!.message, /the disk's free space less a reserve/);
    assert.equal((await upload('tiny.json', Buffer.alloc(50))).result.ok, true);
  } finally {
    free = Number.MAX_SAFE_INTEGER;
  }
  for (const f of await storedUploads()) await discard(path.join(s.server.uploadDir, f));
});

test('a JSON body declared over 1 MB is refused on its Content-Length, unread', async () => {
  const res = await declareAndWait(
    '/api/etl:defaults',
    { ...auth(), 'content-type': 'application/json' },
    50 * 1024 ** 2,
    10,
  );
  assert.equal(res.status, 413);
  assert.match(JSON.parse(res.body).error.message, /larger than 1 MB/);
  assert.deepEqual(s.calls, []);
});

test('a chunked JSON body that grows past 1 MB is cut off', async () => {
  const { sent, status } = await streamUntilCut('/api/etl:defaults', { ...auth(), 'content-type': 'application/json' });
  assert.ok(sent > 1024 * 1024);
  assert.equal(status, 413);
  assert.deepEqual(s.calls, []);
});

test('static files: encoded traversal (%2e%2e, ..%5c, %2f, double-encoded, NUL) never leaves the UI folder', async () => {
  const headers = { 'x-etl-token': s.server.token };
  for (const target of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/..%5c..%5csecret.txt',
    '/%252e%252e/secret.txt',
    '/index.html%00.png',
    '/%',
    `/${encodeURIComponent(path.join(s.root, 'secret.txt'))}`,
  ]) {
    const res = await raw(s.server, target, { headers });
    assert.equal(res.status, 404, target);
    assert.doesNotMatch(res.body, /TOP SECRET/, target);
  }
  assert.equal((await raw(s.server, '/main.js', { headers })).status, 200);
});

test('downloads: only files the app wrote in the output folder, never an input or a file elsewhere', async () => {
  await writeFile(path.join(s.outDir, 'dropped_rows.csv'), 'source_row\n1\n');
  const get = (p: string) => raw(s.server, `/api/download?path=${encodeURIComponent(p)}`, { headers: auth() });
  const ok = await get(path.join(s.outDir, 'dropped_rows.csv'));
  assert.equal(ok.status, 200);
  assert.equal(ok.body, 'source_row\n1\n');
  assert.match(String(ok.headers['content-disposition']), /^attachment; filename="dropped_rows.csv"$/);
  const input = (await upload('events.json', '[]')).result.value!;
  for (const p of [path.join(s.root, 'secret.txt'), `${s.outDir}/../secret.txt`, input, s.outDir]) {
    const res = await get(p);
    assert.equal(res.status, 404, p);
    assert.doesNotMatch(res.body, /TOP SECRET/);
  }
  await discard(input);
});

test('an event-stream flood stays bounded: the oldest streams give way, the newest still get progress', async () => {
  const MAX = 8;
  const opened: { ended: Promise<unknown>; text: () => string; res: http.IncomingMessage }[] = [];
  for (let i = 0; i < 30; i++) {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: s.server.port, path: `/api/events?token=${s.server.token}`, agent: false },
        resolve,
      );
      req.on('error', reject);
    });
    assert.equal(res.statusCode, 200);
    let text = '';
    res.on('data', (c: Buffer) => (text += c.toString()));
    opened.push({ ended: once(res, 'end'), text: () => text, res });
  }
  // All but the newest MAX were closed by the server.
  await Promise.all(opened.slice(0, 30 - MAX).map((o) => o.ended));
  const newest = opened.slice(30 - MAX);
  s.emit({ type: 'stage-started', stage: 'deduplicate', at: '2026-01-01T00:00:00.000Z' });
  await Promise.all(
    newest.map(
      (o) =>
        new Promise<void>((resolve) => {
          const check = () => (o.text().includes('"stage":"deduplicate"') ? resolve() : o.res.once('data', check));
          check();
        }),
    ),
  );
  for (const o of opened.slice(0, 30 - MAX)) assert.doesNotMatch(o.text(), /deduplicate/);
  for (const o of newest) o.res.destroy();
});
