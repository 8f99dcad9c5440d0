/** Browser mode's HTTP transport: the token, the JSON API, server-sent progress, uploads, the UI files. */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ProgressEvent } from '../../shared/pipeline';
import { startHttpServer, type RunningHttpServer } from '../../electron/transport/http-server';

let server: RunningHttpServer;
let staticDir: string;
const listeners = new Set<(e: ProgressEvent) => void>();
const allowed: string[] = [];

before(async () => {
  staticDir = path.join(os.tmpdir(), `etl-static-${process.pid}`);
  await mkdir(staticDir, { recursive: true });
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>ETL</title>');
  server = await startHttpServer({
    handle: async (channel, payload) =>
      channel === 'etl:defaults'
        ? { ok: true, value: { echo: payload ?? null } }
        : { ok: false, error: { kind: 'input', message: `no ${channel}` } },
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    allowFile: (f) => allowed.push(f),
    staticDir,
  });
});
after(async () => {
  await server.close();
  await rm(staticDir, { recursive: true, force: true });
});

function request(pathname: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return fetch(new URL(pathname, server.url), { redirect: 'manual', ...init });
}
const auth = () => ({ 'x-etl-token': server.token, 'content-type': 'application/json' });

test('listens on 127.0.0.1 with a long random token', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(server.token.length >= 32);
  assert.equal(server.openUrl, `${server.url}?token=${server.token}`);
});

test('a request without the token gets 401, on the API, the events and the page alike', async () => {
  for (const [p, method] of [
    ['/api/etl:defaults', 'POST'],
    ['/api/events', 'GET'],
    ['/', 'GET'],
    ['/index.html', 'GET'],
  ] as const) {
    const res = await request(p, { method, headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 401, p);
    await res.arrayBuffer();
  }
  const wrong = await request('/api/etl:defaults', {
    method: 'POST',
    headers: { 'x-etl-token': 'nope', 'content-type': 'application/json' },
  });
  assert.equal(wrong.status, 401);
  await wrong.arrayBuffer();
});

test('with the token: the API answers a Result, with a CSP header', async () => {
  const res = await request('/api/etl:defaults', { method: 'POST', headers: auth(), body: '' });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.deepEqual(await res.json(), { ok: true, value: { echo: null } });
  const bad = await request('/api/etl:defaults', { method: 'POST', headers: auth(), body: '{oops' });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /not valid JSON/);
  const form = await request('/api/etl:defaults', {
    method: 'POST',
    headers: { 'x-etl-token': server.token, 'content-type': 'text/plain' },
    body: '{}',
  });
  assert.equal(form.status, 415, 'only JSON, so a cross-site form post cannot reach the API');
  await form.arrayBuffer();
});

test('opening the page with ?token= sets a cookie that then authorises the page and the API', async () => {
  const first = await request(`/?token=${server.token}`);
  assert.equal(first.status, 303);
  assert.equal(first.headers.get('location'), '/', 'the token leaves the address bar');
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0];
  assert.match(first.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
  const page = await request('/', { headers: { cookie } });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(await page.text(), /<title>ETL<\/title>/);
  const api = await request('/api/etl:defaults', {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: '',
  });
  assert.equal(api.status, 200);
  await api.arrayBuffer();
  const outside = await request('/..%2f..%2fetc%2fpasswd', { headers: { cookie } });
  assert.equal(outside.status, 404);
  await outside.arrayBuffer();
});

test('a request for another host name is refused (DNS rebinding)', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(server.url, { headers: { host: 'evil.example', 'x-etl-token': server.token } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 403);
});

test('server-sent events deliver progress', async () => {
  const res = await request(`/api/events?token=${server.token}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const event: ProgressEvent = { type: 'stage-started', stage: 'deduplicate', at: '2026-01-01T00:00:00.000Z' };
  for (const l of listeners) l(event);
  let text = '';
  while (!text.includes('\n\ndata:') && !/data: .*\n\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString('utf8');
  }
  assert.match(text, /event: progress\ndata: (.*)\n\n/);
  assert.deepEqual(JSON.parse(/data: (.*)\n\n/.exec(text)![1]), event);
  await reader.cancel();
});

test('uploads land in a private temp folder under a safe name and become readable', async () => {
  const res = await request(`/api/upload?name=${encodeURIComponent('../../evil name.json')}`, {
    method: 'POST',
    headers: { 'x-etl-token': server.token, 'content-type': 'application/octet-stream' },
    body: '[{"user_id":"u1"}]',
  });
  const result = (await res.json()) as { ok: true; value: string };
  assert.equal(result.ok, true);
  assert.equal(path.dirname(path.dirname(result.value)), server.uploadDir);
  assert.equal(path.basename(result.value), 'evil name.json');
  assert.equal(await readFile(result.value, 'utf8'), '[{"user_id":"u1"}]');
  assert.equal((await stat(server.uploadDir)).mode & 0o777, 0o700);
  assert.deepEqual(allowed, [result.value]);
});
