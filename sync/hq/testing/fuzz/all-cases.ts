import { adminCases } from './cases-admin.js';
import { replayCases, signatureCases } from './cases-auth.js';
import { crossStoreCases } from './cases-cross-store.js';
import { enrolCases } from './cases-enrol.js';
import { malformedCases } from './cases-malformed.js';
import { oversizedCases } from './cases-oversized.js';
import type { FuzzCase, FuzzTarget } from './fuzz-case.js';

/**
 * Every fuzz case, in a fixed order drawn from `target.prng`: the same requests on every run.
 * Enrolment cases go first, while HQ's failed-enrolment limiter still lets them reach the checks
 * they are about.
 */
export function allCases(target: FuzzTarget): FuzzCase[] {
  return [
    ...enrolCases(target),
    ...malformedCases(target),
    ...oversizedCases(target),
    ...signatureCases(target),
    ...replayCases(target),
    ...crossStoreCases(target),
    ...adminCases(target),
  ];
}
