import { SYNC_PATHS } from '../../../protocol/http.js';
import { MAX_CLOCK_SKEW_MS, SIGN_HEADERS } from '../../../protocol/signing.js';
import type { Expect, FuzzCase, FuzzTarget, Step } from './fuzz-case.js';
import { nonceOf, refused, signed } from './fuzz-case.js';
import type { RawRequest } from './raw-http.js';
import { deadLetterBody, fuzzUuid, keyPair, pullBody, pushBody, rotateBody } from './valid-bodies.js';

/** A WebSocket upgrade request for the live channel with these (maybe wrong) signature headers. */
export function upgradeRequest(path: string, headers: Record<string, string>): RawRequest {
  return {
    method: 'GET',
    path,
    headers: {
      ...headers,
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    },
  };
}

type Target = { method: string; path: string; body: string; live: boolean };

/** Each signed endpoint with a body it would accept — a wrong signature must be refused before the body counts. */
function targets(target: FuzzTarget): Target[] {
  const dl = deadLetterBody();
  return [
    { method: 'POST', path: SYNC_PATHS.hello, body: '{"probe":"fuzz"}', live: false },
    { method: 'POST', path: SYNC_PATHS.pull, body: JSON.stringify(pullBody(target.a)), live: false },
    // Events for the other store: if the signature were (wrongly) accepted they are still only rejected.
    { method: 'POST', path: SYNC_PATHS.push, body: JSON.stringify(pushBody(target.a, [])), live: false },
    {
      method: 'POST',
      path: SYNC_PATHS.deadLetters,
      body: JSON.stringify({ items: [{ ...(dl.items as Record<string, string>[])[0], id: 'never-written' }] }),
      live: false,
    },
    { method: 'POST', path: SYNC_PATHS.rotateKey, body: JSON.stringify(rotateBody(target.a.id)), live: false },
    { method: 'GET', path: SYNC_PATHS.live, body: '', live: true },
  ];
}

function requestOf(t: Target, headers: Record<string, string>, body = t.body, path = t.path): Step['request'] {
  if (t.live) return upgradeRequest(path, headers);
  return { method: t.method, path, headers: { ...headers, 'content-type': 'application/json' }, body };
}

function flipBit(base64: string, bit: number): string {
  const bytes = Buffer.from(base64, 'base64');
  const i = Math.floor(bit / 8) % bytes.length;
  bytes[i] = (bytes[i] ?? 0) ^ (1 << (bit % 8));
  return bytes.toString('base64');
}

/**
 * Wrong signatures on every signed endpoint and on the live upgrade: missing or malformed
 * headers, another key, another device, a signature over another body/path/method, a flipped
 * bit, a stale or future time.
 */
export function signatureCases(target: FuzzTarget): FuzzCase[] {
  const { a, b, prng } = target;
  const stranger = keyPair();
  const cases: FuzzCase[] = [];
  const unauth: Expect = refused('unauthenticated', 'bad_signature', 'stale_time', 'unknown_device');
  for (const t of targets(target)) {
    const good = () => signed(target, a, t.method, t.path, t.body, { json: false });
    const add = (name: string, request: Step['request'], expect: Expect = unauth) =>
      cases.push({ family: t.live ? 'live' : 'signature', name: `${t.path}: ${name}`, steps: [{ request, expect }] });
    add('no signature headers', requestOf(t, {}), refused('unauthenticated'));
    for (const name of Object.values(SIGN_HEADERS)) {
      const headers = good();
      delete headers[name];
      add(`without ${name}`, requestOf(t, headers), refused('unauthenticated'));
    }
    add(
      "another key under A's id",
      requestOf(t, signed(target, a, t.method, t.path, t.body, { key: stranger.privateKey, json: false })),
      refused('bad_signature'),
    );
    add(
      "B's key under A's id",
      requestOf(t, signed(target, a, t.method, t.path, t.body, { key: b.privateKey, json: false })),
      refused('bad_signature'),
    );
    add(
      'an id HQ never enrolled',
      requestOf(
        t,
        signed(target, { ...a, id: fuzzUuid(target), privateKey: stranger.privateKey }, t.method, t.path, t.body, { json: false }),
      ),
      refused('unknown_device'),
    );
    if (!t.live) {
      add('signature of another body', requestOf(t, good(), `${t.body} `), refused('bad_signature'));
      const tampered = Buffer.from(t.body);
      if (tampered.length > 2) {
        const at = prng.int(1, tampered.length - 2);
        tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      }
      add('a flipped bit in the body', requestOf(t, good(), tampered.toString('latin1')), refused('bad_signature', 'bad_request'));
    }
    add(
      'signature of another path',
      requestOf(t, signed(target, a, t.method, t.path === SYNC_PATHS.hello ? SYNC_PATHS.pull : SYNC_PATHS.hello, t.body, { json: false })),
      refused('bad_signature'),
    );
    add(
      'signature of another method',
      requestOf(t, signed(target, a, t.method === 'GET' ? 'POST' : 'GET', t.path, t.body, { json: false })),
      refused('bad_signature'),
    );
    add('a query added after signing', requestOf(t, good(), t.body, `${t.path}?x=1`), refused('bad_signature'));
    for (let i = 0; i < 3; i++) {
      const headers = good();
      headers[SIGN_HEADERS.signature] = flipBit(headers[SIGN_HEADERS.signature] ?? '', prng.int(0, 511));
      add(`a flipped bit in the signature (${i})`, requestOf(t, headers), refused('bad_signature', 'unauthenticated'));
    }
    const skew = MAX_CLOCK_SKEW_MS + prng.int(1_000, 3_600_000);
    add(
      'a stale time',
      requestOf(t, signed(target, a, t.method, t.path, t.body, { now: new Date(target.now.getTime() - skew), json: false })),
      refused('stale_time'),
    );
    add(
      'a time in the future',
      requestOf(t, signed(target, a, t.method, t.path, t.body, { now: new Date(target.now.getTime() + skew), json: false })),
      refused('stale_time'),
    );
    add('time zero', requestOf(t, signed(target, a, t.method, t.path, t.body, { now: new Date(0), json: false })), refused('stale_time'));
    for (const time of ['abc', '-1', '1.5e12', '', ' 1', '0x10', '9'.repeat(16), String(target.now.getTime()) + '.0']) {
      // HTTP trims the blanks around a header value: ' 1' arrives as '1', a stale time.
      add(
        `time ${JSON.stringify(time)}`,
        requestOf(t, { ...good(), [SIGN_HEADERS.time]: time }),
        refused('unauthenticated', 'bad_signature', 'stale_time'),
      );
    }
    for (const nonce of ['abc', 'A'.repeat(32), 'g'.repeat(32), nonceOf(prng).slice(0, 31), `${nonceOf(prng)}0`, '']) {
      add(`nonce ${JSON.stringify(nonce)}`, requestOf(t, { ...good(), [SIGN_HEADERS.nonce]: nonce }), refused('unauthenticated'));
    }
    for (const signature of [
      '',
      'not base64!',
      'A'.repeat(86) + '=',
      Buffer.alloc(64).toString('base64'),
      Buffer.alloc(32, 1).toString('base64'),
    ]) {
      add(
        `signature ${JSON.stringify(signature.slice(0, 12))}…`,
        requestOf(t, { ...good(), [SIGN_HEADERS.signature]: signature }),
        refused('unauthenticated', 'bad_signature'),
      );
    }
    for (const id of ['not-a-uuid', a.id.toUpperCase(), "' OR 1=1 --", '00000000-0000-0000-0000-000000000000']) {
      add(
        `device id ${JSON.stringify(id)}`,
        requestOf(t, { ...good(), [SIGN_HEADERS.device]: id }),
        refused('unauthenticated', 'unknown_device', 'bad_signature'),
      );
    }
  }
  // Upgrades on paths that are not the live channel.
  for (const path of [`${SYNC_PATHS.live}x`, '/sync/v1/push', '/', '/admin/v1/devices']) {
    cases.push({
      family: 'live',
      name: `upgrade on ${path}`,
      steps: [{ request: upgradeRequest(path, signed(target, a, 'GET', path, '', { json: false })), expect: refused('not_found') }],
    });
  }
  return cases;
}

/**
 * Replays: a request HQ took (or refused for its body) sent again byte for byte, and a new
 * request reusing a nonce — refused as `replayed`. The first sends write nothing.
 */
export function replayCases(target: FuzzTarget): FuzzCase[] {
  const { a, b } = target;
  const cases: FuzzCase[] = [];
  const twice = (name: string, first: Step['request'], firstExpect: Expect) =>
    cases.push({
      family: 'replay',
      name,
      steps: [
        { request: first, expect: firstExpect },
        { request: first, expect: refused('replayed') },
      ],
    });
  for (let i = 0; i < 4; i++) {
    const hello = '{}';
    twice(
      `hello replayed (${i})`,
      {
        method: 'POST',
        path: SYNC_PATHS.hello,
        headers: signed(target, i % 2 === 0 ? a : b, 'POST', SYNC_PATHS.hello, hello),
        body: hello,
      },
      { kind: 'ok' },
    );
    const pull = JSON.stringify(pullBody(i % 2 === 0 ? a : b));
    twice(
      `pull replayed (${i})`,
      { method: 'POST', path: SYNC_PATHS.pull, headers: signed(target, i % 2 === 0 ? a : b, 'POST', SYNC_PATHS.pull, pull), body: pull },
      { kind: 'ok' },
    );
    const badPush = JSON.stringify({ deviceId: a.id, storeId: a.storeId, events: [] });
    twice(
      `refused push replayed (${i})`,
      { method: 'POST', path: SYNC_PATHS.push, headers: signed(target, a, 'POST', SYNC_PATHS.push, badPush), body: badPush },
      refused('bad_request'),
    );
    const badReport = JSON.stringify({ items: [] });
    twice(
      `refused dead-letter report replayed (${i})`,
      {
        method: 'POST',
        path: SYNC_PATHS.deadLetters,
        headers: signed(target, a, 'POST', SYNC_PATHS.deadLetters, badReport),
        body: badReport,
      },
      refused('bad_request'),
    );
    // The same nonce on a new, correctly signed request: refused all the same.
    const nonce = nonceOf(target.prng);
    const other = JSON.stringify(pullBody(a));
    cases.push({
      family: 'replay',
      name: `a used nonce on another request (${i})`,
      steps: [
        {
          request: {
            method: 'POST',
            path: SYNC_PATHS.hello,
            headers: signed(target, a, 'POST', SYNC_PATHS.hello, '{}', { nonce }),
            body: '{}',
          },
          expect: { kind: 'ok' },
        },
        {
          request: {
            method: 'POST',
            path: SYNC_PATHS.pull,
            headers: signed(target, a, 'POST', SYNC_PATHS.pull, other, { nonce }),
            body: other,
          },
          expect: refused('replayed'),
        },
        {
          request: upgradeRequest(SYNC_PATHS.live, signed(target, a, 'GET', SYNC_PATHS.live, '', { nonce, json: false })),
          expect: refused('replayed'),
        },
      ],
    });
  }
  return cases;
}
