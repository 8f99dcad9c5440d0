/**
 * The desktop app's app:// handler, attacked directly: no request, however encoded, reads a file
 * outside the UI folder or from another host. (Electron is not needed: the handler is a plain
 * function of a Request.)
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { serveAppProtocol } from '../../electron/transport/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../electron/transport/content-security-policy';

let root: string;
let handler!: (req: Request) => Promise<Response>;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'etl-sec-app-'));
  await mkdir(path.join(root, 'renderer'));
  await writeFile(path.join(root, 'renderer', 'index.html'), '<title>ETL</title>');
  await writeFile(path.join(root, 'secret.txt'), 'TOP SECRET');
  serveAppProtocol({ handle: (_scheme: string, h: never) => void (handler = h) } as never, path.join(root, 'renderer'));
});
after(() => rm(root, { recursive: true, force: true }));

test('app:// traversal: encoded dots and slashes, backslashes, NUL and other hosts all get 404', async () => {
  for (const url of [
    'app://etl/../secret.txt',
    'app://etl/%2e%2e/secret.txt',
    'app://etl/%2E%2E%2Fsecret.txt',
    'app://etl/..%2fsecret.txt',
    'app://etl/..%5csecret.txt',
    'app://etl/..%5c..%5csecret.txt',
    'app://etl/%252e%252e%252fsecret.txt',
    'app://etl/index.html%00.png',
    `app://etl/${encodeURIComponent(path.join(root, 'secret.txt'))}`,
    'app://etl/%',
    'app://elsewhere/index.html',
    'app://etl.evil/index.html',
  ]) {
    const res = await handler(new Request(url));
    assert.equal(res.status, 404, url);
    assert.doesNotMatch(await res.text(), /TOP SECRET/, url);
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, url);
  }
  const ok = await handler(new Request('app://etl/'));
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), '<title>ETL</title>');
});
