import { z } from 'zod';

/** Binds a method's output type to its input schema (outputs are produced by main, not validated). */
export function method<O>() {
  return <I extends z.ZodType>(input: I) => ({ input, output: undefined as unknown as O });
}

/** Inputs of methods that take none. */
export const empty = z.object({}).strict();

/** A code-like key typed or scanned at the counter: trimmed, 1–64 characters. */
export const code = z.string().trim().min(1).max(64);
