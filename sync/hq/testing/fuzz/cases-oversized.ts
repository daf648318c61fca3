import { SYNC_PATHS } from '../../../protocol/http.js';
import { MAX_PUSH_BYTES, MAX_PUSH_EVENTS } from '../../../protocol/push.js';
import type { FuzzCase, FuzzTarget } from './fuzz-case.js';
import { refused, signed, signedPost } from './fuzz-case.js';
import { cashEvent, pushBody, sourceOf } from './valid-bodies.js';

/** The admin catalog import reads bodies up to this (admin-routes.ts CATALOG_BODY_LIMIT). */
const CATALOG_LIMIT = 128 * 1024 * 1024;

/**
 * Bodies above what HQ reads: announced by Content-Length (HQ must answer 413 from the header,
 * while the client has sent only the first 64 KiB — the request would hang otherwise), streamed
 * chunked past the limit, and pushes with more events than a batch may hold.
 */
export function oversizedCases(target: FuzzTarget): FuzzCase[] {
  const { a } = target;
  const cases: FuzzCase[] = [];
  const head = Buffer.from(`{"deviceId":"${a.id}","storeId":"${a.storeId}","events":[${'0,'.repeat(30_000)}`);
  const declared = (path: string, length: number, headers: Record<string, string> = {}, expect = refused('too_large')) =>
    cases.push({
      family: 'oversized',
      name: `${path}: Content-Length ${length}, only ${head.length} bytes sent`,
      steps: [
        {
          request: {
            method: 'POST',
            path,
            headers: { 'content-type': 'application/json', ...headers },
            body: head,
            declaredLength: length,
          },
          expect,
        },
      ],
    });
  for (const path of [SYNC_PATHS.push, SYNC_PATHS.pull, SYNC_PATHS.enrol, SYNC_PATHS.deadLetters, SYNC_PATHS.hello, '/admin/v1/login'])
    declared(path, MAX_PUSH_BYTES + 1);
  // Anonymous on an admin route: the token is checked first (401), before the length or the body.
  declared('/admin/v1/brands', MAX_PUSH_BYTES + 1, {}, refused('too_large', 'unauthenticated'));
  declared(SYNC_PATHS.push, MAX_PUSH_BYTES + 1, signed(target, a, 'POST', SYNC_PATHS.push, head));
  declared(SYNC_PATHS.push, 2 ** 40);
  declared('/admin/v1/catalog', CATALOG_LIMIT + 1, { authorization: `Bearer ${target.adminToken}` });
  // Anonymous: the token is checked first, so 401 — or 413, either before reading the body.
  declared('/admin/v1/catalog', CATALOG_LIMIT + 1, {}, refused('too_large', 'unauthenticated'));
  // Within the import limit but anonymous (or a wrong token): refused from the headers, before HQ reads 100 MB.
  for (const [method, path] of [
    ['POST', '/admin/v1/catalog'],
    ['PUT', '/admin/v1/stock'],
  ] as const) {
    for (const authorization of [null, `Bearer ${'A'.repeat(43)}`]) {
      cases.push({
        family: 'oversized',
        name: `${path}: ${authorization ? 'a wrong token' : 'no token'}, Content-Length 100 MiB, only ${head.length} bytes sent`,
        steps: [
          {
            request: {
              method,
              path,
              headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
              body: head,
              declaredLength: 100 * 1024 * 1024,
            },
            expect: refused('unauthenticated'),
          },
        ],
      });
    }
  }

  // Streamed without a length: HQ counts and stops at the limit. A signed route checks the
  // (missing) signature headers before it reads a byte, so unsigned it is refused as that first.
  const big = Buffer.alloc(MAX_PUSH_BYTES + 64 * 1024, 0x20);
  big.write('{"deviceId":"');
  for (const [path, expect] of [
    [SYNC_PATHS.push, refused('too_large', 'unauthenticated')],
    [SYNC_PATHS.enrol, refused('too_large')],
  ] as const) {
    cases.push({
      family: 'oversized',
      name: `${path}: ${big.length} bytes chunked`,
      steps: [
        { request: { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: big, chunkBytes: 256 * 1024 }, expect },
      ],
    });
  }
  // Signed by A, streamed past the push limit: read up to the limit, then refused.
  cases.push({
    family: 'oversized',
    name: `${SYNC_PATHS.push}: ${big.length} bytes chunked, signed`,
    steps: [
      {
        request: {
          method: 'POST',
          path: SYNC_PATHS.push,
          headers: signed(target, a, 'POST', SYNC_PATHS.push, big),
          body: big,
          chunkBytes: 256 * 1024,
        },
        expect: refused('too_large'),
      },
    ],
  });

  // Within the byte limit but over the event limit (events of the other store: never writable).
  const foreign = { ...sourceOf(a), storeId: target.b.storeId };
  for (const count of [MAX_PUSH_EVENTS + 1, MAX_PUSH_EVENTS * 3]) {
    const events = Array.from({ length: count }, () => cashEvent(target, foreign));
    cases.push({
      family: 'oversized',
      name: `push of ${count} events`,
      steps: [{ request: signedPost(target, a, SYNC_PATHS.push, JSON.stringify(pushBody(a, events))), expect: refused('bad_request') }],
    });
  }
  return cases;
}
