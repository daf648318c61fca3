import type { ApiError } from '../api/contract.js';

/**
 * Field-level problems keyed by the path main reported (`wedge.maxInterKeyMs`,
 * `printer.tcp.port` …), so each form field can show its own message next to it.
 */
export type FieldErrors = Readonly<Record<string, string>>;

/**
 * The BAD_INPUT issues of a failed call, keyed by path with `prefix.` removed (the form knows
 * which part of the input it edits). Issues outside the prefix are kept under their full path.
 */
export function fieldErrorsOf(error: ApiError, prefix = ''): FieldErrors {
  if (error.code !== 'BAD_INPUT' || !error.issues) return {};
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = prefix && issue.path.startsWith(`${prefix}.`) ? issue.path.slice(prefix.length + 1) : issue.path;
    // The first problem of a field is the one to fix first.
    out[path] ??= issue.message;
  }
  return out;
}

/** Stands for "not a whole number", found before sending; the UI translates it. */
export const LOCAL_NOT_A_NUMBER = 'local:not_a_number';

/** A whole number typed into a field, or undefined when it is not one (empty, `12.5`, `abc`). */
export function parseWholeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : undefined;
}
