import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { generateDataset, type GenerateSummary } from '../../electron/generator/generate-dataset';
import { DEFAULT_OPTIONS, type GenerateOptions } from '../../electron/generator/generate-options';
import { model, modelUsers } from '../model/spec-model';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'generator-test-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let dirCount = 0;
function generate(overrides: Partial<GenerateOptions>): GenerateSummary {
  return generateDataset({ ...DEFAULT_OPTIONS, outDir: path.join(tmpRoot, `run-${dirCount++}`), ...overrides });
}

const read = (file: string) => fs.readFileSync(file);
const total = (counts: Partial<Record<string, number>>) =>
  Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);

test('the same seed gives the same bytes; another seed gives other bytes', () => {
  for (const format of ['json', 'ndjson'] as const) {
    const a = generate({ events: 3000, users: 200, seed: 5, format });
    const b = generate({ events: 3000, users: 200, seed: 5, format });
    const c = generate({ events: 3000, users: 200, seed: 6, format });
    assert.ok(read(a.eventsPath).equals(read(b.eventsPath)));
    assert.ok(read(a.usersPath).equals(read(b.usersPath)));
    assert.ok(!read(a.eventsPath).equals(read(c.eventsPath)));
    assert.ok(!read(a.usersPath).equals(read(c.usersPath)));
  }
});

test('the committed data/ files are exactly what the default command writes', () => {
  const s = generate({});
  const repo = path.resolve(import.meta.dirname, '../..');
  assert.ok(
    read(s.eventsPath).equals(read(path.join(repo, 'data/raw_events.json'))),
    'data/raw_events.json is stale: run `npm run generate`',
  );
  assert.ok(
    read(s.usersPath).equals(read(path.join(repo, 'data/users.csv'))),
    'data/users.csv is stale: run `npm run generate`',
  );
});

test('the default sample: a JSON array, one element per line, with the documented counts', () => {
  const s = generate({});
  const text = fs.readFileSync(s.eventsPath, 'utf8');
  const lines = text.split('\n');
  assert.equal(lines[0], '[');
  assert.equal(lines.at(-2), ']');
  assert.equal(lines.length, 8934 + 3);
  const parsed = JSON.parse(text) as unknown[];
  assert.equal(parsed.length, 8934);

  const usersCsv = fs.readFileSync(s.usersPath, 'utf8');
  const users = modelUsers(usersCsv);
  assert.equal(users.rows, 1000, 'users.csv has exactly 1000 data rows');
  assert.equal(users.duplicateRows, s.users.duplicateRows);
  assert.equal(users.duplicateRows, 3);
  assert.equal(users.invalidSignupDates, 9, 'slashes, impossible dates and empty ones');

  const m = model(text, 'raw_events.json', usersCsv);
  assert.equal(m.format, 'json');
  assert.equal(m.counts.rows, 8934);
  assert.equal(m.counts.malformed, 0);
  assert.equal(m.counts.missing + m.counts.invalidTs, 14);
  assert.equal(m.counts.missing, total(s.events.missingUserId));
  assert.equal(m.counts.invalidTs, total(s.events.invalidTimestamp));
  assert.equal(m.counts.dup, 170);

  // Realistic shares: a few percent unknown users, 15-20% of events from outside the US.
  const joined = m.counts.rows - m.counts.missing - m.counts.invalidTs - m.counts.dup;
  assert.ok(m.counts.unknown / joined > 0.01 && m.counts.unknown / joined < 0.06);
  assert.ok(m.counts.nonUs / joined > 0.13 && m.counts.nonUs / joined < 0.22);
});

test('the sample holds every messy case it promises', () => {
  const s = generate({});
  const text = fs.readFileSync(s.eventsPath, 'utf8');
  const csv = fs.readFileSync(s.usersPath, 'utf8');
  for (const needle of [
    '"user_id":"   "',
    '"user_id":""',
    '"user_id":null',
    '"timestamp":"2025/',
    '-W',
    'Z "',
    '"timestamp":""',
    'T24:00:00Z',
    '+05:30"',
    '-0800"',
    '+01"',
    '"value":"1e3"',
    '"value":true',
    '"value":{"x":1}',
    '"metadata":null',
    '"user_id":" 1',
  ]) {
    assert.ok(text.includes(needle), `events contain ${needle}`);
  }
  assert.match(text, /"user_id":1\d{4},/);
  assert.match(text, /"user_id":" {2}u\d{5} "/);
  assert.match(text, /"timestamp":\d{10},/);
  assert.match(text, /"timestamp":"\d{10}"/);
  assert.match(text, /"timestamp":"\d{8}T\d{6}Z"/);
  assert.match(text, /"timestamp":"2025-\d\d-\d\dt/);
  assert.match(text, /"timestamp":"2025-02-30T/);
  assert.match(text, /"timestamp":"2025-\d\d-\d\d"/);
  assert.match(text, /"timestamp":"[^"]+,\d+Z"/);
  assert.match(text, /"timestamp":"[^"]+\.\d{9}Z"/);
  assert.match(text, /"timestamp":"[^"]+\+00:00"/);
  assert.match(text, /"value":"\d+\.\d\d"/);
  assert.match(text, /"value":"-\d+"/);
  assert.match(text, /"value":"\.\d+"/);
  assert.match(text, /"value":"\d+\."/);
  assert.match(text, /"value":\d+\.0[,}]/);
  for (const needle of [
    'usa',
    ' U.S. ',
    'United States',
    'united states of america',
    'U.S.A.',
    '"United States"',
    ',,',
    '"PPO, Gold"',
    '"HMO ""Select"""',
  ]) {
    assert.ok(csv.includes(needle), `users.csv contains ${needle}`);
  }
  assert.match(csv, /\n[^,\n]+,\d\d\/\d\d\/20\d\d,/);
  assert.match(csv, /\n[^,]+,20\d\d-(02-30|04-31|11-31|13-05),/);
  assert.match(csv, /\n[^,]+,20\d\d-\d\d-\d\dT\d\d:\d\d:00(-0[458]:00|Z),/);
  assert.match(csv, /\n1\d{4},/);
  // Near-duplicates that are not duplicates under the rules: as many as the summary says, and
  // each "+00:00" copy really is in the file beside its "Z" original.
  assert.deepEqual(s.events.nearDuplicate, { zulu_as_offset: 5, value_changed: 3, event_type_changed: 1 });
  const events = JSON.parse(text) as Record<string, unknown>[];
  const key = (e: Record<string, unknown>, ts: string) => JSON.stringify([e.user_id, e.event_type, ts, e.value]);
  const zulu = new Set(
    events.flatMap((e) => (typeof e.timestamp === 'string' && e.timestamp.endsWith('Z') ? [key(e, e.timestamp)] : [])),
  );
  const asOffset = events.filter(
    (e) =>
      typeof e.timestamp === 'string' &&
      e.timestamp.endsWith('+00:00') &&
      zulu.has(key(e, `${e.timestamp.slice(0, -6)}Z`)),
  );
  assert.equal(asOffset.length, 5);
});

test('ndjson with CRLF: every line parses except the deliberate malformed ones; counts hold', () => {
  const s = generate({ events: 60_000, users: 2000, seed: 11, format: 'ndjson', crlf: true });
  assert.ok(s.eventsPath.endsWith('raw_events.ndjson'));
  const text = fs.readFileSync(s.eventsPath, 'utf8');
  assert.ok(text.endsWith('\r\n'));
  assert.ok(!/[^\r]\n/.test(text), 'every line ends with CRLF');
  let malformed = 0;
  let blank = 0;
  for (const line of text.slice(0, -2).split('\r\n')) {
    if (/^[ \t]*$/.test(line)) {
      blank++;
      continue;
    }
    try {
      const v: unknown = JSON.parse(line);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) malformed++;
    } catch {
      malformed++;
    }
  }
  assert.equal(malformed, s.events.plan.malformedRecord);
  assert.equal(blank, s.events.plan.blankLine);
  assert.ok(malformed > 0 && blank > 0);

  const m = model(text, s.eventsPath, fs.readFileSync(s.usersPath, 'utf8'));
  assert.equal(m.format, 'ndjson');
  assert.equal(m.counts.rows, 60_000);
  assert.equal(m.counts.malformed, s.events.plan.malformedRecord);
  assert.equal(m.counts.missing, s.events.plan.missingUserId);
  assert.equal(m.counts.invalidTs, s.events.plan.invalidTimestamp);
  assert.equal(m.counts.dup, s.events.plan.duplicate);
  assert.equal(m.counts.blankLines, s.events.plan.blankLine);
});

test('a larger JSON file keeps the exact counts (no accidental duplicates) and a BOM when asked', () => {
  const s = generate({ events: 150_000, users: 3000, seed: 99, bom: true });
  const text = fs.readFileSync(s.eventsPath, 'utf8');
  assert.ok(text.startsWith('\uFEFF['));
  const m = model(text, s.eventsPath, fs.readFileSync(s.usersPath, 'utf8'));
  assert.equal(m.format, 'json');
  assert.equal(m.counts.missing, s.events.plan.missingUserId);
  assert.equal(m.counts.invalidTs, s.events.plan.invalidTimestamp);
  assert.equal(m.counts.dup, s.events.plan.duplicate);
  assert.equal(total(s.events.nearDuplicate), s.events.plan.nearDuplicate);
});

test('zero events still writes a valid empty array', () => {
  const s = generate({ events: 0, users: 5 });
  assert.deepEqual(JSON.parse(fs.readFileSync(s.eventsPath, 'utf8')), []);
});
