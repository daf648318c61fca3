import type { z } from 'zod';
import { enrolRequestSchema, rotateKeyRequestSchema } from '../../../protocol/enrol.js';
import { pullRequestSchema } from '../../../protocol/feed.js';
import { SYNC_PATHS } from '../../../protocol/http.js';
import { MAX_PUSH_BYTES, deadLetterReportSchema, pushRequestSchema } from '../../../protocol/push.js';
import { DEAD_LETTER_BODY_LIMIT, SMALL_BODY_LIMIT } from '../../routes/device-route.js';
import type { FuzzCase, FuzzTarget } from './fuzz-case.js';
import { refused, signed } from './fuzz-case.js';
import type { Json, Mutation } from './mutate.js';
import { junkBodies, mutate, parseAsHq } from './mutate.js';
import { cashEvent, deadLetterBody, enrolBody, fuzzUuid, pullBody, pushBody, rotateBody, saleEvent, sourceOf } from './valid-bodies.js';

/** The bytes an endpoint reads at most (routes/device-route.ts): a bigger body is refused as too_large first. */
type Endpoint = { path: string; signedBy: 'a' | null; schema: z.ZodType; base: () => Json; mutations: number; limit: number };

function endpoints(target: FuzzTarget): Endpoint[] {
  // Pushed events are for the other store: should a mutation slip through the schema, it is still rejected, never written.
  const foreign = { ...sourceOf(target.a), storeId: target.b.storeId };
  return [
    {
      path: SYNC_PATHS.enrol,
      signedBy: null,
      schema: enrolRequestSchema,
      base: () => enrolBody(target.codes.fresh, fuzzUuid(target)),
      mutations: 80,
      limit: SMALL_BODY_LIMIT,
    },
    {
      path: SYNC_PATHS.push,
      signedBy: 'a',
      schema: pushRequestSchema,
      base: () => pushBody(target.a, [saleEvent(target, foreign), cashEvent(target, foreign)]),
      mutations: 150,
      limit: MAX_PUSH_BYTES,
    },
    {
      path: SYNC_PATHS.pull,
      signedBy: 'a',
      schema: pullRequestSchema,
      base: () => pullBody(target.a),
      mutations: 80,
      limit: SMALL_BODY_LIMIT,
    },
    {
      path: SYNC_PATHS.deadLetters,
      signedBy: 'a',
      schema: deadLetterReportSchema,
      base: () => deadLetterBody(),
      mutations: 60,
      limit: DEAD_LETTER_BODY_LIMIT,
    },
    {
      path: SYNC_PATHS.rotateKey,
      signedBy: 'a',
      schema: rotateKeyRequestSchema,
      base: () => rotateBody(target.a.id),
      mutations: 40,
      limit: SMALL_BODY_LIMIT,
    },
  ];
}

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/xml',
  'text/csv',
];

/**
 * Bodies that break an endpoint's schema (each checked against the protocol's own schema here,
 * so a mutation that happens to be valid is dropped, never sent), bodies that are not JSON, and
 * wrong content types. Signed endpoints get correctly signed requests: the refusal must come
 * from the body, not the signature.
 */
export function malformedCases(target: FuzzTarget): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const endpoint of endpoints(target)) {
    const send = (body: Buffer, contentType = 'application/json') =>
      endpoint.signedBy === null
        ? { method: 'POST', path: endpoint.path, headers: { 'content-type': contentType }, body }
        : {
            method: 'POST',
            path: endpoint.path,
            headers: { ...signed(target, target.a, 'POST', endpoint.path, body), 'content-type': contentType },
            body,
          };
    let made = 0;
    for (let attempt = 0; made < endpoint.mutations && attempt < endpoint.mutations * 20; attempt++) {
      const mutation: Mutation = mutate(target.prng, endpoint.base());
      const parsed = parseAsHq(mutation.body);
      if (parsed !== undefined && endpoint.schema.safeParse(parsed).success) continue;
      made++;
      cases.push({
        family: 'malformed',
        name: `${endpoint.path}: ${mutation.what}`,
        steps: [{ request: send(mutation.body), expect: refused('bad_request', 'too_large') }],
      });
    }
    const valid = JSON.stringify(endpoint.base());
    for (const junk of junkBodies(target.prng, valid)) {
      cases.push({
        family: 'malformed',
        name: `${endpoint.path}: ${junk.what}`,
        steps: [{ request: send(junk.body), expect: refused(junk.body.length > endpoint.limit ? 'too_large' : 'bad_request') }],
      });
    }
    for (const contentType of CONTENT_TYPES) {
      cases.push({
        family: 'malformed',
        name: `${endpoint.path}: content type ${contentType}`,
        steps: [{ request: send(Buffer.from(valid), contentType), expect: refused('bad_request') }],
      });
    }
    const noType = Buffer.from(valid);
    const request = send(noType);
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'content-type'));
    cases.push({
      family: 'malformed',
      name: `${endpoint.path}: no content type`,
      steps: [{ request: { ...request, headers }, expect: refused('bad_request') }],
    });
    if (endpoint.signedBy !== null) {
      cases.push({
        family: 'malformed',
        name: `${endpoint.path}: signed, empty body`,
        steps: [
          {
            request: { method: 'POST', path: endpoint.path, headers: signed(target, target.a, 'POST', endpoint.path, '', { json: false }) },
            expect: refused('bad_request'),
          },
        ],
      });
    }
  }
  return cases;
}
