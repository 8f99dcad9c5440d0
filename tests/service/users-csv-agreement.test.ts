/**
 * The input peek and the run read users.csv the same way (docs/rules.md "Users"): every line-end
 * style, a BOM, quoted fields and a file too large for the peek to read whole (so it sees a head
 * cut anywhere). Whatever the peek shows must be what the engine reads, and a file the engine
 * accepts must not be refused before the run.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCsv } from '../../electron/engine/csv-reader';
import { EtlError } from '../../electron/engine/errors';
import { readUsers } from '../../electron/engine/users-reader';
import { inspectInput } from '../../electron/service/input-inspector';
import { tempDir } from './fixtures';

let dir: string;
let cleanup: () => Promise<void>;
const file = (name: string) => path.join(dir, name);

before(async () => {
  ({ dir, cleanup } = await tempDir());
});
after(() => cleanup());

/** The records every variant below holds, written out by hand. */
const HEADER = ['user_id', 'signup_date', 'country'];
const ROWS = [
  ['u1', '2024-01-05', 'US'],
  [' u2 ', '2024-02-01', 'Canada, the north'],
  ['u3', '2024-03-01', 'say "USA"'],
  ['u4', '', 'multi\nline'],
];

/** The rows as CSV with the given line end; the multi-line field uses the same line end. */
function csvText(eol: string, bom: boolean): string {
  const quote = (f: string) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""').replace(/\n/g, eol)}"` : f);
  const body = [HEADER, ...ROWS].map((r) => r.map(quote).join(',')).join(eol) + eol;
  return (bom ? '\uFEFF' : '') + body;
}

describe('the peek and the engine agree on users.csv', () => {
  for (const [name, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ] as const) {
    for (const bom of [false, true]) {
      test(`${name} line ends${bom ? ', with a BOM' : ''}`, async () => {
        const p = file(`users-${name}-${bom}.csv`);
        await writeFile(p, csvText(eol, bom));
        const expectedRows = ROWS.map((r) => r.map((f) => f.replace(/\n/g, eol)));

        const info = await inspectInput(p);
        assert.equal(info.error, undefined, info.error?.message);
        assert.equal(info.kind, 'users');
        assert.deepEqual(info.peek.columns, HEADER);
        assert.deepEqual(info.peek.rows, expectedRows);
        assert.equal(info.rowEstimate, ROWS.length);

        const users = await readUsers(p);
        assert.equal(users.rows, ROWS.length);
        assert.deepEqual(users.userId, ['u1', 'u2', 'u3', 'u4']);
        assert.deepEqual(users.country, ['US', 'Canada, the north', 'say "USA"', `multi${eol}line`]);
      });
    }
  }

  test('a file too large to peek whole: the head, cut inside a quoted field, shows the rows the engine reads', async () => {
    // Over the peek's 4 MiB whole-file limit, with multi-line quoted fields throughout, so the
    // 256 KiB head ends inside one whatever the exact cut.
    const lines = [HEADER.join(',')];
    for (let k = 0, size = 0; size < 5 * 1024 * 1024; k++) {
      const id = String(k).padStart(6, '0'); // rows of one length, so the head's estimate can be exact
      lines.push(`u${id},2024-01-01,"line one of ${id}\r\nline ""two"" of ${id}"`);
      size += lines[lines.length - 1].length + 2;
    }
    const p = file('big-users.csv');
    await writeFile(p, '\uFEFF' + lines.join('\r\n') + '\r\n');

    const info = await inspectInput(p);
    assert.equal(info.error, undefined, info.error?.message);
    assert.deepEqual(info.peek.columns, HEADER);
    const users = await readUsers(p);
    assert.equal(users.rows, lines.length - 1);
    assert.deepEqual(
      info.peek.rows.map((r) => r[0]),
      users.userId.slice(0, info.peek.rows.length),
    );
    assert.deepEqual(info.peek.rows[3], ['u000003', '2024-01-01', 'line one of 000003\r\nline "two" of 000003']);
    assert.equal(users.country[3], 'line one of 000003\r\nline "two" of 000003');
    assert.ok(
      Math.abs(info.rowEstimate - users.rows) / users.rows < 0.01,
      `estimate ${info.rowEstimate} of ${users.rows}`,
    );
  });

  test('a header without the columns: the peek shows the message the run fails with', async () => {
    const p = file('no-country.csv');
    await writeFile(p, 'User_ID,signup_date\ru1,2024-01-01\r');
    const info = await inspectInput(p);
    await assert.rejects(readUsers(p), (err: unknown) => {
      assert.ok(err instanceof EtlError);
      assert.deepEqual(info.error, err.info);
      assert.match(
        err.message,
        /no-country\.csv has no country column in its header \(line 1 has: User_ID, signup_date\)/,
      );
      return true;
    });
  });

  // Each bad users file the run refuses, the peek refuses with the same error value: the same
  // message, line, column, byte and excerpt (docs/ui.md "Errors").
  const BAD: {
    name: string;
    content: string | Buffer;
    message: RegExp;
    at: [number, number, number];
    excerpt: string;
  }[] = [
    {
      name: 'unclosed.csv',
      content: 'user_id,signup_date,country\nu1,2024-01-01,"US\nu2,2024-01-01,US\n',
      message: /^unclosed\.csv: a quoted field opened at line 2, column 15 \(byte 42\) is never closed/,
      at: [2, 15, 42],
      excerpt: 'u1,2024-01-01,"US\n              ^',
    },
    {
      // A BOM and a two-byte character before the position: columns and bytes count bytes.
      name: 'repeated.csv',
      content: '\uFEFFuser_id,país,signup_date,User_ID,country\r\nu1,x,2024-01-01,u1,US\r\n',
      message: /names "user_id" more than once in its header \(line 1\)/,
      at: [1, 30, 29],
      excerpt: 'user_id,país,signup_date,User_ID,country\n                         ^',
    },
    {
      name: 'no-country-blank-first.csv',
      content: '\n\nuser_id,signup_date\nu1,2024-01-01\n',
      message: /has no country column in its header \(line 3 has: user_id, signup_date\)/,
      at: [3, 1, 2],
      excerpt: 'user_id,signup_date\n^',
    },
    {
      name: 'latin1.csv',
      content: Buffer.concat([
        Buffer.from('user_id,signup_date,country\nu1,2024-01-01,Espa'),
        Buffer.from([0xf1]),
        Buffer.from('a\n'),
      ]),
      message: /is not valid UTF-8 at line 2, column 19 \(byte 46\)\. Save it as UTF-8/,
      at: [2, 19, 46],
      excerpt: 'u1,2024-01-01,Espa\ufffda\n                  ^',
    },
  ];
  for (const bad of BAD)
    test(`${bad.name}: the peek of a whole file reports what the run reports, with line, column, byte and excerpt`, async () => {
      const p = file(bad.name);
      await writeFile(p, bad.content);
      const info = await inspectInput(p);
      await assert.rejects(readUsers(p), (err: unknown) => {
        assert.ok(err instanceof EtlError);
        assert.deepEqual(info.error, err.info);
        assert.equal(err.info.kind, 'input');
        assert.equal(err.info.file, p);
        assert.match(err.message, bad.message);
        assert.deepEqual([err.info.line, err.info.column, err.info.offset], bad.at);
        assert.equal(err.info.excerpt, bad.excerpt);
        return true;
      });
    });
});

describe('parseCsv of a cut-off head', () => {
  const text = '\uFEFFh1,h2\r\n"a\r\nb",c\rd,"e""f"\n\n"g",h\r\n';
  const full = parseCsv(text, 'f.csv').records;

  test('every cut gives the records that lie wholly before it, never a cut-short one', () => {
    assert.deepEqual(full, [
      ['h1', 'h2'],
      ['a\r\nb', 'c'],
      ['d', 'e"f'],
      ['g', 'h'],
    ]);
    for (let cut = 0; cut <= text.length; cut++) {
      const { records, consumed } = parseCsv(text.slice(0, cut), 'f.csv', { complete: false });
      assert.deepEqual(records, full.slice(0, records.length), `cut at ${cut}`);
      // Everything up to the consumed position parses, as a complete text, to the same records.
      assert.deepEqual(parseCsv(text.slice(0, consumed), 'f.csv').records, records, `cut at ${cut}`);
    }
  });

  test('the whole text with complete: false loses only its last record if it had no line end', () => {
    assert.deepEqual(parseCsv(text, 'f.csv', { complete: false }).records, full);
    assert.deepEqual(parseCsv('a,b\n1,2', 'f.csv', { complete: false }).records, [['a', 'b']]);
  });

  test('line numbers count LF, CRLF and lone CR alike, inside quotes too', () => {
    assert.deepEqual(parseCsv(text, 'f.csv').lines, [1, 2, 4, 6]);
  });
});
