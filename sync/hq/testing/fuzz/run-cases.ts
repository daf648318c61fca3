import type { Family, FuzzCase } from './fuzz-case.js';
import { judge } from './fuzz-case.js';
import { sendRaw } from './raw-http.js';
import type { RawAnswer, RawRequest } from './raw-http.js';

/** A check every answer must also pass (what is wrong, or null). */
export type AnswerCheck = (request: RawRequest, answer: RawAnswer) => string | null;

export type CaseFailure = { family: Family; name: string; step: number; problem: string };
export type RunReport = {
  requests: number;
  byFamily: Partial<Record<Family, number>>;
  /** Wall time per family (for the report, never asserted). */
  msByFamily: Partial<Record<Family, number>>;
  byStatus: Record<number, number>;
  /** Every answer, short: to read what HQ said to a given case. */
  answers: { name: string; status: number; code: string; ms: number }[];
  failures: CaseFailure[];
};

/**
 * Sends the cases one after another (their order is part of the seed: replays and the
 * enrolment limiter depend on it), judges every answer, and after each case checks that HQ
 * still answers /health. Never stops at the first failure: the report lists them all.
 */
export async function runCases(baseUrl: string, cases: readonly FuzzCase[], check?: AnswerCheck): Promise<RunReport> {
  const report: RunReport = { requests: 0, byFamily: {}, msByFamily: {}, byStatus: {}, answers: [], failures: [] };
  for (const fuzzCase of cases) {
    const started = performance.now();
    for (const [i, step] of fuzzCase.steps.entries()) {
      report.requests++;
      report.byFamily[fuzzCase.family] = (report.byFamily[fuzzCase.family] ?? 0) + 1;
      const sent = performance.now();
      try {
        const answer = await sendRaw(baseUrl, step.request);
        report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
        report.answers.push({
          name: fuzzCase.name,
          status: answer.status,
          code: /"code":"(\w+)"/.exec(answer.text)?.[1] ?? '',
          ms: Math.round(performance.now() - sent),
        });
        const problem = judge(step, answer) ?? check?.(step.request, answer) ?? null;
        if (problem) report.failures.push({ family: fuzzCase.family, name: fuzzCase.name, step: i, problem });
      } catch (error) {
        report.failures.push({
          family: fuzzCase.family,
          name: fuzzCase.name,
          step: i,
          problem: `no answer: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    const health = await sendRaw(baseUrl, { method: 'GET', path: '/health', headers: {} }).catch((error: unknown) => ({
      status: 0,
      text: String(error),
    }));
    if (health.status !== 200)
      report.failures.push({
        family: fuzzCase.family,
        name: `${fuzzCase.name} (then /health)`,
        step: -1,
        problem: `${health.status} ${health.text.slice(0, 200)}`,
      });
    report.msByFamily[fuzzCase.family] = Math.round((report.msByFamily[fuzzCase.family] ?? 0) + performance.now() - started);
  }
  return report;
}
