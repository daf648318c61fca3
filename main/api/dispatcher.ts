import type { z } from 'zod';
import { contract, requestFrameSchema } from './contract.js';
import type { Domain, MethodName, Output, ParsedInput, ResponseFrame, Result } from './contract.js';
import { AppError, fail, ok } from './errors.js';
import { isGuardedHandler, runGuarded } from './guards.js';
import type { CallContext, GuardedHandler, GuardKind, SessionGate } from './guards.js';

export type { CallContext } from './guards.js';

export type Handler<D extends Domain, M extends MethodName<D>> = GuardedHandler<ParsedInput<D, M>, Output<D, M>>;

/** One guarded implementation per method of the contract; the compiler checks none is missing. */
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

/** A handler map as registered: every entry must be a contract method and declare its guard. */
type Registered = Partial<Record<string, Partial<Record<string, unknown>>>>;

/** `domain.method` → the guard kind each registered handler declares. */
export function guardsOf(handlers: Registered): Record<string, GuardKind> {
  const out: Record<string, GuardKind> = {};
  for (const [domain, methods] of Object.entries(handlers)) {
    for (const [method, handler] of Object.entries(methods ?? {})) {
      if (!lookupMethod(domain, method)) throw new Error(`${domain}.${method} is registered but not in the contract`);
      if (!isGuardedHandler(handler))
        throw new Error(`${domain}.${method} declares no guard: register it as open(), session(), role(), approval() …`);
      out[`${domain}.${method}`] = handler.guard.kind;
    }
  }
  return out;
}

export type DispatcherOptions = {
  log: Log;
  /** The staff session guards are checked against; null where nothing may need one (a terminal whose store did not open). */
  gate: SessionGate | null;
};

/**
 * The single entry point both transports call. Validates the input against the contract, checks
 * the handler's declared guard, runs it, and turns every outcome — including a handler's bug —
 * into a Result. Refuses to be built with a handler that declares no guard.
 */
export function createDispatcher(handlers: Partial<Handlers>, options: DispatcherOptions): Dispatch {
  guardsOf(handlers as Registered);
  return async (domain, method, input, ctx) => {
    const def = lookupMethod(domain, method);
    if (!def) return fail('UNKNOWN_METHOD', `No method ${domain}.${method}`);
    const parsed = def.input.safeParse(input ?? {});
    if (!parsed.success) return fail('BAD_INPUT', `Invalid input for ${domain}.${method}`, issuesOf(parsed.error));
    const handler = (handlers as Registered)[domain]?.[method] as GuardedHandler<unknown, unknown> | undefined;
    if (!handler) return fail('UNKNOWN_METHOD', `No handler for ${domain}.${method}`);
    try {
      return ok(await runGuarded(handler, parsed.data, ctx, options.gate));
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: error.toApiError() };
      options.log(`${domain}.${method} failed`, error);
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
