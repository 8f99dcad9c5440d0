/**
 * Random users.csv files (header case, spacing and order, extra columns, RFC 4180 quoting with
 * commas, quotes and line breaks, BOM, CRLF, padded and repeated ids, every US spelling,
 * signup_date forms) checked against tests/model/spec-model.ts through the whole pipeline.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runPipeline } from '../../electron/engine/pipeline';
import { readRows, tmpDir, writeFile } from './helpers';
import { compare, model } from '../model/spec-model';

describe('engine vs the rules model on random users.csv files', () => {
  const IDS = ['u1', 'u2', 'u3', 'x,y', 'q"q', 'line\nbreak', 'é', '😀', '10', 'Z', 'a', '', ' '];
  const COUNTRIES = [
    'US',
    'us',
    ' USA ',
    'U.S.',
    'u.s.a.',
    'United States',
    'UNITED STATES OF AMERICA',
    'Canada',
    '',
    '  ',
    'U.S',
    'Mexico',
    'united states of america\t',
  ];
  const DATES = [
    '2024-01-05',
    '2024-02-29',
    '2023-02-29',
    '2024-03-05T23:30:00-05:00',
    '2024-03-05 01:00+05',
    '04/11/2022',
    '',
    ' 2024-01-01',
    '2024-13-01',
    '2024-01-01T24:00',
  ];
  const COLS = ['user_id', 'signup_date', 'country'];

  function makeUsers(seed: number): string {
    let s = seed;
    const r = (n: number) => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return Math.floor((s / 0x80000000) * n);
    };
    const quote = (v: string) => (/[",\r\n]/.test(v) || r(3) === 0 ? '"' + v.replace(/"/g, '""') + '"' : v);
    const order = [...COLS, 'notes'].sort(() => r(3) - 1);
    const header = order.map((h) => {
      const name = r(2) ? h.toUpperCase() : h;
      return quote(r(2) ? ` ${name} ` : name);
    });
    const eol = r(2) ? '\r\n' : '\n';
    const lines = [header.join(',')];
    for (let i = 0; i < 60; i++) {
      const id = IDS[r(IDS.length)];
      const values: Record<string, string> = {
        user_id: r(4) === 0 ? ` ${id}\u00a0` : id,
        signup_date: DATES[r(DATES.length)],
        country: COUNTRIES[r(COUNTRIES.length)],
        notes: ['', 'plain', 'a, b', 'say "hi"', 'two\r\nlines'][r(5)],
      };
      lines.push(order.map((h) => quote(values[h])).join(','));
      if (r(10) === 0) lines.push('');
    }
    return (r(2) ? '\ufeff' : '') + lines.join(eol) + (r(2) ? eol : '');
  }

  for (const seed of [1, 2, 3]) {
    test(`users.csv #${seed}`, async () => {
      const users = makeUsers(seed * 7919);
      let s = seed;
      const r = (n: number) => {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        return Math.floor((s / 0x80000000) * n);
      };
      const pool = [...IDS, 'ghost'];
      const events = [...Array(400).keys()].map((i) => ({
        user_id: pool[r(pool.length)],
        event_type: `e${i % 7}`,
        timestamp: `2025-01-${String(1 + r(28)).padStart(2, '0')}T10:00:00Z`,
        value: i % 5,
      }));
      const text = JSON.stringify(events);
      const dir = tmpDir();
      const eventsPath = writeFile(dir, 'events.json', text);
      const usersPath = writeFile(dir, 'users.csv', users);
      const outDir = path.join(dir, 'out');
      const report = await runPipeline({ eventsPath, usersPath, outDir });
      const want = model(text, 'events.json', users);
      const got = {
        report,
        clean: readRows(path.join(outDir, 'clean_events.parquet')),
        daily: readRows(path.join(outDir, 'daily_summary.parquet')),
        dropped: readRows(path.join(outDir, 'dropped_rows.parquet')),
      };
      compare(got, want);
      assert.ok(
        want.clean.length > 20 && want.counts.nonUs > 10 && want.counts.unknown > 0,
        JSON.stringify(want.counts),
      );
      // The users file's own warnings are reached, so compare() checked their counts.
      const u = want.users;
      assert.ok(u.duplicateRows > 0 && u.invalidSignupDates > 0 && u.missingUserIds > 0, JSON.stringify(u));
    });
  }
});
