/**
 * Browser mode's gate, attacked against the real server: the token on every route, a foreign
 * Host, a foreign Origin with and without the cookie, the token exchange's redirect, a malformed
 * escape. Each refused request must leave the engine service untouched.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { REQUEST_SCHEMAS } from '../../shared/validators';
import { raw, startSecurityServer, type SecurityServer } from './security-server';

let s: SecurityServer;
before(async () => {
  s = await startSecurityServer();
});
after(() => s.close());

const json = { 'content-type': 'application/json' };
const origin = () => `http://127.0.0.1:${s.server.port}`;
const good = () => ({ ...json, 'x-etl-token': s.server.token, origin: origin(), 'sec-fetch-site': 'same-origin' });

/** Every route, with how a request to it is made. */
function everyRoute(): { target: string; method: string; body?: string }[] {
  return [
    ...Object.keys(REQUEST_SCHEMAS).map((channel) => ({ target: `/api/${channel}`, method: 'POST', body: '' })),
    { target: '/api/events', method: 'GET' },
    { target: '/api/upload?name=x.json', method: 'POST', body: '[]' },
    { target: `/api/upload?path=${encodeURIComponent('/etc/passwd')}`, method: 'DELETE' },
    { target: `/api/download?path=${encodeURIComponent('/etc/passwd')}`, method: 'GET' },
    { target: '/', method: 'GET' },
    { target: '/index.html', method: 'GET' },
    { target: '/main.js', method: 'GET' },
  ];
}

test('listens on 127.0.0.1 only, with a long random token', () => {
  assert.match(s.server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(s.server.token.length >= 32);
  assert.equal(s.server.openUrl, `${s.server.url}?token=${s.server.token}`);
});

test('token missing, wrong, or of the wrong length: 401 on every route, and the service is never called', async () => {
  const token = s.server.token;
  const wrongTokens = {
    missing: undefined,
    'wrong, same length': token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    'a prefix of it': token.slice(0, -1),
    'it plus one character': `${token}x`,
    empty: '',
  };
  for (const { target, method, body } of everyRoute()) {
    for (const [how, wrong] of Object.entries(wrongTokens)) {
      const headers: Record<string, string> = { ...json, origin: origin() };
      if (wrong !== undefined) headers['x-etl-token'] = wrong;
      const res = await raw(s.server, target, { method, headers, body });
      assert.equal(res.status, 401, `${method} ${target}, token ${how}`);
      assert.match(res.body, /Missing or wrong session token/);
    }
    // The token in the query is honoured only by the event stream (EventSource cannot send a header).
    const withQuery = `${target}${target.includes('?') ? '&' : '?'}token=${token.slice(0, -1)}`;
    assert.equal((await raw(s.server, withQuery, { method, headers: json, body })).status, 401, withQuery);
  }
  assert.deepEqual(s.calls, []);
});

test('a foreign Host is refused (DNS rebinding), even with the token', async () => {
  for (const host of [
    'evil.example',
    `evil.example:${s.server.port}`,
    `127.0.0.1:${s.server.port + 1}`,
    `localhost.evil.example:${s.server.port}`,
  ]) {
    for (const target of ['/api/etl:defaults', '/']) {
      const res = await raw(s.server, target, {
        method: target === '/' ? 'GET' : 'POST',
        headers: { ...good(), host },
        body: '',
      });
      assert.equal(res.status, 403, `${host} ${target}`);
    }
  }
  assert.deepEqual(s.calls, []);
});

test('a foreign Origin is refused on /api/*, with the token, with the cookie, or both', async () => {
  const exchange = await raw(s.server, `/?token=${s.server.token}`);
  const cookie = String(exchange.headers['set-cookie']).split(';')[0];
  assert.ok(!cookie.includes(s.server.token), 'the cookie, which every port of 127.0.0.1 receives, is not the token');
  const other = `http://127.0.0.1:${s.server.port + 1}`;
  const attempts: [string, Record<string, string>][] = [
    ['another port, with the token', { ...good(), origin: other }],
    ['another port, with the cookie', { ...json, origin: other, cookie }],
    ['another port, with both', { ...good(), origin: other, cookie }],
    ['another site', { ...good(), origin: 'https://evil.example' }],
    ['an opaque origin (sandboxed frame)', { ...good(), origin: 'null' }],
    ['Sec-Fetch-Site: same-site (another port)', { ...good(), 'sec-fetch-site': 'same-site' }],
    ['Sec-Fetch-Site: cross-site', { ...good(), 'sec-fetch-site': 'cross-site' }],
  ];
  for (const [how, headers] of attempts) {
    const res = await raw(s.server, '/api/etl:defaults', { method: 'POST', headers, body: '' });
    assert.equal(res.status, 403, how);
    assert.match(res.body, /only the page served here may call the API/, how);
  }
  // The attack the review found: a no-cors upload from another local port, carrying the cookie.
  const upload = await raw(s.server, '/api/upload?name=planted.json', {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: other, 'sec-fetch-site': 'same-site', cookie },
    body: '[]',
  });
  assert.equal(upload.status, 403);
  // The cookie alone, from our own origin, opens the UI files but not the API.
  const sameOriginCookieOnly = await raw(s.server, '/api/etl:defaults', {
    method: 'POST',
    headers: { ...json, origin: origin(), 'sec-fetch-site': 'same-origin', cookie },
    body: '',
  });
  assert.equal(sameOriginCookieOnly.status, 401);
  assert.equal((await raw(s.server, '/', { headers: { cookie } })).status, 200);
  assert.deepEqual(s.calls, []);
  // Our own page, sending the token itself, is served.
  const ok = await raw(s.server, '/api/etl:defaults', { method: 'POST', headers: good(), body: '' });
  assert.equal(ok.status, 200);
  assert.equal(JSON.parse(ok.body).ok, true);
});

test('the token exchange always redirects to /, never to a path from the request (open redirect)', async () => {
  for (const target of [
    '/?token=T',
    '/.//evil.example/?token=T',
    '//evil.example/?token=T',
    '/\\evil.example/?token=T',
    '/index.html?next=https://evil.example&token=T',
  ]) {
    const res = await raw(s.server, target.replace('T', s.server.token));
    assert.equal(res.status, 303, target);
    assert.equal(res.headers.location, `/#token=${encodeURIComponent(s.server.token)}`, target);
    assert.match(String(res.headers['set-cookie']), /HttpOnly; SameSite=Strict; Path=\//);
  }
  // A wrong token is not exchanged for anything.
  const wrong = await raw(s.server, '/.//evil.example/?token=nope');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.location, undefined);
  assert.equal(wrong.headers['set-cookie'], undefined);
});

test('a malformed % escape in a channel name is a 400 that says so, not a 500', async () => {
  for (const target of ['/api/etl%ZZdefaults', '/api/%', '/api/etl:%E0%A4%A']) {
    const res = await raw(s.server, target, { method: 'POST', headers: good(), body: '' });
    assert.equal(res.status, 400, target);
    assert.match(JSON.parse(res.body).error.message, /malformed % escape/, target);
  }
  // An unknown but well-formed channel is the handlers' clear refusal.
  const unknown = await raw(s.server, '/api/etl%3Anope', { method: 'POST', headers: good(), body: '' });
  assert.equal(unknown.status, 200);
  assert.equal(JSON.parse(unknown.body).ok, false);
  assert.deepEqual(s.calls, []);
});

test('JSON only: a text/plain post (what a cross-site form can send) is refused', async () => {
  const res = await raw(s.server, '/api/etl:defaults', {
    method: 'POST',
    headers: { ...good(), 'content-type': 'text/plain' },
    body: '{}',
  });
  assert.equal(res.status, 415);
  assert.deepEqual(s.calls, []);
});

test('every answer carries the strict CSP and nosniff', async () => {
  const page = await raw(s.server, '/', { headers: { 'x-etl-token': s.server.token } });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  const refused = await raw(s.server, '/api/etl:defaults', { method: 'POST', headers: json, body: '' });
  assert.match(String(refused.headers['content-security-policy']), /default-src 'self'/);
});
