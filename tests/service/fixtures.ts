/** Small inline fixture writers and fake run hosts for the service tests. */
import { EventEmitter, once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ProgressEvent, RunReport } from '../../shared/pipeline';
import type { HostedProcess, RunHostFactory } from '../../electron/service/run-host';
import type { FromHostMessage, ToHostMessage } from '../../electron/service/run-protocol';

export async function tempDir(prefix = 'etl-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Writes `n` newline-delimited events quickly: 500 users, one in 50 with a bad timestamp,
 * one in 40 a duplicate of the line before.
 */
export async function writeEventsNdjson(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const types = ['login', 'view_benefits', 'enroll', 'download_document'];
  let chunk = '';
  let prev = '';
  const base = Date.UTC(2025, 0, 1);
  for (let i = 0; i < n; i++) {
    let line: string;
    if (i % 40 === 39 && prev) line = prev;
    else {
      const ts = i % 50 === 7 ? '2025/01/02 10:00' : new Date(base + i * 1000).toISOString().replace('.000Z', 'Z');
      line = `{"user_id":"u${String(i % 500).padStart(4, '0')}","event_type":"${types[i % 4]}","timestamp":"${ts}","value":${i % 3 ? (i % 997) / 10 : null},"metadata":{"device":"desktop","page":"/p${i % 7}"}}`;
    }
    prev = line;
    chunk += line + '\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Users u0000..u(n-1); every fifth one outside the US. */
export async function writeUsersCsv(file: string, n = 500): Promise<void> {
  const rows = ['user_id,signup_date,country'];
  for (let i = 0; i < n; i++)
    rows.push(`u${String(i).padStart(4, '0')},2024-0${(i % 9) + 1}-15,${i % 5 === 4 ? 'CA' : 'US'}`);
  await writeFile(file, rows.join('\n') + '\n');
}

export const EMPTY_REPORT: RunReport = {
  started_at: '',
  finished_at: '',
  inputs: [],
  stages: [],
  outputs: [],
  warnings: [],
};

/** A host that runs in-process: `behave` decides what it does with the run request. */
export class FakeHost extends EventEmitter implements HostedProcess {
  killed = false;
  received: ToHostMessage[] = [];
  constructor(private readonly behave: (host: FakeHost, message: ToHostMessage) => void) {
    super();
  }
  send(message: ToHostMessage): void {
    this.received.push(message);
    setImmediate(() => this.behave(this, message));
  }
  kill(): void {
    if (this.killed) return;
    this.killed = true;
    setImmediate(() => this.emit('exit', null, 'SIGKILL'));
  }
  onMessage(listener: (m: FromHostMessage) => void): void {
    this.on('message', listener);
  }
  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.once('exit', listener);
  }
  post(message: FromHostMessage): void {
    this.emit('message', message);
  }
  event(event: ProgressEvent): void {
    this.post({ type: 'event', event });
  }
  exit(code: number | null, signal: string | null = null): void {
    this.emit('exit', code, signal);
  }
}

export function fakeHosts(
  behave: (host: FakeHost, message: ToHostMessage) => void,
): RunHostFactory & { started: FakeHost[] } {
  const started: FakeHost[] = [];
  return {
    started,
    start() {
      const host = new FakeHost(behave);
      started.push(host);
      return host;
    },
  };
}
