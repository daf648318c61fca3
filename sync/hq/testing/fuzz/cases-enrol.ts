import { SYNC_PATHS } from '../../../protocol/http.js';
import type { FuzzCase, FuzzTarget } from './fuzz-case.js';
import { refused, signedPost } from './fuzz-case.js';
import { enrolBody, fuzzUuid, keyPair, rotateBody } from './valid-bodies.js';

/**
 * Enrolment and key rotation bodies that pass the schema but must still be refused: a proof
 * signed with another key or over another code, codes that are unknown, used or expired, an id
 * already enrolled, values PostgreSQL cannot store. HQ limits failed enrolments to ten a minute
 * per source, so later ones may be answered 429 `forbidden` instead — still a refusal.
 */
export function enrolCases(target: FuzzTarget): FuzzCase[] {
  const { codes, a, b } = target;
  const cases: FuzzCase[] = [];
  const enrol = (name: string, body: Record<string, string>, ...codesAllowed: Parameters<typeof refused>) =>
    cases.push({
      family: 'malformed',
      name: `enrol: ${name}`,
      steps: [
        {
          request: { method: 'POST', path: SYNC_PATHS.enrol, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
          expect: refused(...codesAllowed, 'forbidden'),
        },
      ],
    });
  // Values PostgreSQL cannot store, with a good code and proof: HQ must say so, not fail (not counted by the limiter).
  enrol('a NUL in the hostname', enrolBody(codes.fresh, fuzzUuid(target), keyPair(), { hostname: 'till\u00001' }), 'bad_request');
  enrol('a NUL in the app version', enrolBody(codes.fresh, fuzzUuid(target), keyPair(), { appVersion: '1.0\u0000' }), 'bad_request');
  enrol("A's id again", enrolBody(codes.fresh, a.id), 'forbidden');
  enrol('the used code', enrolBody(codes.used, fuzzUuid(target)), 'enrolment_used');
  const stolen = enrolBody(codes.fresh, fuzzUuid(target));
  enrol('a proof by another key', { ...stolen, proof: enrolBody(codes.fresh, stolen.deviceId as string).proof as string }, 'bad_signature');
  enrol(
    'a proof over another code',
    { ...stolen, proof: enrolBody(codes.expired, stolen.deviceId as string).proof as string, publicKey: stolen.publicKey as string },
    'bad_signature',
  );
  enrol('a public key that is not a key', { ...stolen, publicKey: Buffer.alloc(32, 0xff).toString('base64') }, 'bad_signature');
  enrol('an all-zero public key', { ...stolen, publicKey: Buffer.alloc(32).toString('base64') }, 'bad_signature');
  enrol('an unknown code', enrolBody('ABCD-EFGH-JKLM', fuzzUuid(target)), 'enrolment_invalid');
  enrol('the expired code', enrolBody(codes.expired, fuzzUuid(target)), 'enrolment_expired');
  enrol("B's id with a fresh code", enrolBody(codes.fresh, b.id), 'forbidden');

  const rotate = (name: string, body: Record<string, string>) =>
    cases.push({
      family: 'malformed',
      name: `rotate-key: ${name}`,
      steps: [{ request: signedPost(target, a, SYNC_PATHS.rotateKey, JSON.stringify(body)), expect: refused('bad_signature') }],
    });
  const next = rotateBody(a.id);
  rotate('a proof by another key', { ...next, proof: rotateBody(a.id).proof as string });
  rotate("a proof for B's id", rotateBody(b.id));
  rotate('a public key that is not a key', { ...next, publicKey: Buffer.alloc(32, 0xff).toString('base64') });
  rotate('an all-zero public key', { ...next, publicKey: Buffer.alloc(32).toString('base64') });
  return cases;
}
