/** The browser-mode client against the real HTTP server and request handlers (fake service). */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { EngineService } from '../../electron/service/engine-service';
import { PathAllowlist } from '../../electron/service/path-allowlist';
import { browserPlatform } from '../../electron/transport/browser-platform';
import { startHttpServer, type RunningHttpServer } from '../../electron/transport/http-server';
import { createRequestHandlers } from '../../electron/transport/request-handlers';
import { createHttpClient } from '../../renderer/client/http-client';
import type { EtlClient } from '../../shared/service-contract';
import { XhrOverFetch } from './xhr-over-fetch';

let server: RunningHttpServer;
let client: EtlClient;
let outDir: string;
const inspected: string[] = [];

before(async () => {
  // Uploads go through XMLHttpRequest (for their progress), which Node lacks.
  (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = XhrOverFetch;
  outDir = await mkdtemp(path.join(os.tmpdir(), 'etl-client-'));
  const service = {
    running: false,
    inspectInput: async (p: string) => (inspected.push(p), { ok: true, value: { path: p } }),
    dailyCounts: async () => ({
      ok: true,
      value: { days: [{ date: '2025-01-01', events: 3, users: 2 }], totalEvents: 3 },
    }),
  } as unknown as EngineService;
  const allowlist = new PathAllowlist();
  allowlist.allowOutputDir(outDir);
  const { handle } = createRequestHandlers({
    service,
    platform: browserPlatform({ outDir, sampleDir: path.join(outDir, 'none') }),
    allowlist,
  });
  server = await startHttpServer({
    handle,
    subscribe: () => () => {},
    allowFile: (f) => allowlist.allowFile(f),
    staticDir: outDir,
  });
  client = createHttpClient(server.url.replace(/\/$/, ''), server.token);
});
after(async () => {
  delete (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest;
  await server.close();
  await rm(outDir, { recursive: true, force: true });
});

test('defaults come back as a Result over HTTP', async () => {
  const result = await client.defaults();
  assert.deepEqual(result, { ok: true, value: { outDir, sample: null, recent: {} } });
});

test('a dropped file is uploaded and can then be inspected; an unchosen path cannot', async () => {
  const file = new File(['{"user_id":"u1"}\n'], 'dropped.ndjson');
  const uploaded = await client.pathForDroppedFile(file);
  assert.equal(uploaded.ok, true);
  const p = uploaded.ok ? uploaded.value : '';
  assert.equal((await client.inspectInput({ path: p })).ok, true);
  assert.deepEqual(inspected, [p]);
  const refused = await client.inspectInput({ path: '/etc/hostname' });
  assert.match(!refused.ok ? refused.error.message : '', /was not chosen in this app/);
});

test('daily counts travel over POST /api/etl:daily-counts, behind the allowlist', async () => {
  assert.deepEqual(await client.dailyCounts({ outDir }), {
    ok: true,
    value: { days: [{ date: '2025-01-01', events: 3, users: 2 }], totalEvents: 3 },
  });
  const refused = await client.dailyCounts({ outDir: '/etc' });
  assert.match(!refused.ok ? refused.error.message : '', /The output folder "\/etc" was not chosen in this app/);
});

test('desktop-only actions explain themselves in browser mode', async () => {
  const dir = await client.pickOutputDir();
  assert.match(!dir.ok ? dir.error.message : '', /Browser mode writes to .*--out/);
  const show = await client.showInFolder({ path: path.join(outDir, 'clean_events.parquet') });
  assert.match(!show.ok ? show.error.message : '', /cannot open a file manager/);
});

test('a lost server is an error value, not a throw', async () => {
  const gone = createHttpClient('http://127.0.0.1:9', 'x');
  const result = await gone.defaults();
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error.message : '', /Lost the connection to the ETL server/);
});

test('a page deletes only its own replaced uploads, not another tab’s', async () => {
  const uploaded = await client.pathForDroppedFile(new File(['[]'], 'events.json'));
  const p = uploaded.ok ? uploaded.value : '';
  const otherTab = createHttpClient(server.url.replace(/\/$/, ''), server.token);
  assert.deepEqual(await otherTab.browser!.discardUpload(p), { ok: true, value: null });
  assert.equal((await stat(p)).isFile(), true, 'another tab cannot delete it');
  assert.deepEqual(await client.browser!.discardUpload(p), { ok: true, value: null });
  await assert.rejects(stat(p), { code: 'ENOENT' });
});
