import type { z } from 'zod';
import { contract, requestFrameSchema } from './contract.js';
import type { Domain, MethodName, Output, ParsedInput, ResponseFrame, Result } from './contract.js';
import { AppError, fail, ok } from './errors.js';

/** Who is calling: the transport fills this in (used for audit and, later, staff permissions). */
export type CallContext = { transport: 'ipc' | 'ws' | 'test'; connectionId: string };

export type Handler<D extends Domain, M extends MethodName<D>> = (
  input: ParsedInput<D, M>,
  ctx: CallContext,
) => Output<D, M> | Promise<Output<D, M>>;

/** One implementation per method of the contract; the compiler checks none is missing. */
export type Handlers = { [D in Domain]: { [M in MethodName<D>]: Handler<D, M> } };

export type Dispatch = (domain: string, method: string, input: unknown, ctx: CallContext) => Promise<Result<unknown>>;

type Log = (message: string, detail?: unknown) => void;

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(input)', message: i.message }));
}

function lookupMethod(domain: string, method: string): { input: z.ZodType } | undefined {
  if (!Object.hasOwn(contract, domain)) return undefined;
  const methods = contract[domain as Domain] as Record<string, { input: z.ZodType }>;
  return Object.hasOwn(methods, method) ? methods[method] : undefined;
}

/**
 * The single entry point both transports call. Validates the input against the contract,
 * runs the handler, and turns every outcome — including a handler's bug — into a Result.
 */
export function createDispatcher(handlers: Handlers, log: Log): Dispatch {
  return async (domain, method, input, ctx) => {
    const def = lookupMethod(domain, method);
    if (!def) return fail('UNKNOWN_METHOD', `No method ${domain}.${method}`);
    const parsed = def.input.safeParse(input ?? {});
    if (!parsed.success) return fail('BAD_INPUT', `Invalid input for ${domain}.${method}`, issuesOf(parsed.error));
    const handler = (handlers[domain as Domain] as Record<string, (i: unknown, c: CallContext) => unknown> | undefined)?.[method];
    if (!handler) return fail('UNKNOWN_METHOD', `No handler for ${domain}.${method}`);
    try {
      return ok(await handler(parsed.data, ctx));
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: error.toApiError() };
      log(`${domain}.${method} failed`, error);
      return fail('INTERNAL', 'Something went wrong on the terminal; the error was logged.');
    }
  };
}

/**
 * Handles one raw frame from a transport (a WebSocket text message or a MessagePort message).
 * A frame that is not a well-formed request is answered when it has a usable id, and
 * otherwise dropped and reported through `onBadFrame`: a broken client never crashes main.
 */
export async function handleFrame(
  dispatch: Dispatch,
  raw: unknown,
  ctx: CallContext,
  onBadFrame: (reason: string) => void,
): Promise<ResponseFrame | undefined> {
  let data = raw;
  if (typeof raw === 'string') {
    if (raw.length > 1_000_000) {
      onBadFrame('frame larger than 1 MB');
      return undefined;
    }
    try {
      data = JSON.parse(raw);
    } catch {
      onBadFrame('frame is not JSON');
      return undefined;
    }
  }
  const frame = requestFrameSchema.safeParse(data);
  if (!frame.success) {
    const id = (data as { id?: unknown } | null)?.id;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
      return { t: 'res', id, result: fail('BAD_INPUT', 'Malformed request frame', issuesOf(frame.error)) };
    }
    onBadFrame('malformed request frame');
    return undefined;
  }
  const { id, domain, method, input } = frame.data;
  return { t: 'res', id, result: await dispatch(domain, method, input, ctx) };
}
