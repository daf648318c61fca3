import type { Channel } from './channel.js';
import type {
  ApiError,
  Domain,
  EventFrame,
  EventName,
  Events,
  Input,
  MethodName,
  Output,
  RequestFrame,
  ResponseFrame,
  Result,
} from './contract.js';

/**
 * Messages of failures that happen on this side of the wire. They use the contract's closed
 * set of codes ('INTERNAL'), so `isConnectionError` is how the UI tells them apart and shows
 * "connection lost" instead of "bug in the terminal".
 */
export const LOCAL_ERRORS = {
  notConnected: 'Not connected to the terminal service.',
  connectionLost: 'The connection to the terminal service was lost before it answered.',
  timeout: 'The terminal service did not answer in time.',
} as const;

const localMessages = new Set<string>(Object.values(LOCAL_ERRORS));

export function isConnectionError(error: ApiError): boolean {
  return error.code === 'INTERNAL' && localMessages.has(error.message);
}

function localFailure(message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code: 'INTERNAL', message } };
}

type Pending = { resolve: (result: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> };

export type ApiClientOptions = {
  /** A call without an answer after this long fails locally (main may be stuck or gone). */
  timeoutMs?: number;
  /** Where a throwing event listener is reported; one broken screen must not silence the others. */
  onListenerError?: (error: unknown) => void;
};

/** What screens and stores need from the client; tests pass a fake. */
export type Api = Pick<ApiClient, 'call' | 'on' | 'isOpen' | 'onOpen' | 'onClose'>;

/**
 * Typed calls and events over any Channel. `call` never throws and never hangs: every outcome,
 * including a dropped connection, comes back as a Result.
 */
export class ApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly timeoutMs: number;
  private readonly onListenerError: (error: unknown) => void;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly channel: Channel,
    options: ApiClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.onListenerError = options.onListenerError ?? ((error) => console.error('[shopfloor] event listener failed', error));
    this.unsubscribe = [
      channel.onFrame((frame) => this.receive(frame)),
      // Answers to requests sent on a closed connection will never come.
      channel.onClose(() => this.failAll(LOCAL_ERRORS.connectionLost)),
    ];
  }

  call<D extends Domain, M extends MethodName<D>>(domain: D, method: M, input: Input<D, M>): Promise<Result<Output<D, M>>> {
    const id = this.nextId++;
    return new Promise<Result<Output<D, M>>>((resolve) => {
      const timer = setTimeout(() => this.settle(id, localFailure(LOCAL_ERRORS.timeout)), this.timeoutMs);
      // The wire carries unknown values; main produced this one for exactly this method.
      this.pending.set(id, { resolve: resolve as (result: Result<unknown>) => void, timer });
      if (!this.trySend({ t: 'req', id, domain, method, input })) this.settle(id, localFailure(LOCAL_ERRORS.notConnected));
    });
  }

  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.eventListeners.get(name);
    if (!set) {
      set = new Set();
      this.eventListeners.set(name, set);
    }
    const entry = listener as (payload: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  isOpen(): boolean {
    return this.channel.isOpen();
  }

  onOpen(listener: () => void): () => void {
    return this.channel.onOpen(listener);
  }

  onClose(listener: () => void): () => void {
    return this.channel.onClose(listener);
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
    this.failAll(LOCAL_ERRORS.connectionLost);
    this.channel.dispose();
  }

  /** A socket that closes between the open check and the send can throw; that is just "not sent". */
  private trySend(frame: RequestFrame): boolean {
    try {
      return this.channel.send(frame);
    } catch {
      return false;
    }
  }

  private receive(raw: unknown): void {
    const frame = asServerFrame(raw);
    if (!frame) {
      console.warn('[shopfloor] dropped a malformed frame from main');
      return;
    }
    if (frame.t === 'res') {
      this.settle(frame.id, frame.result);
      return;
    }
    const listeners = this.eventListeners.get(frame.name);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        (listener as (payload: unknown) => void)(frame.payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  private settle(id: number, result: Result<unknown>): void {
    const entry = this.pending.get(id);
    if (!entry) return; // a late answer after a timeout or disconnect
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(result);
  }

  private failAll(message: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id, localFailure(message));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Shape check only: enough that a broken frame cannot throw inside the client. */
function asServerFrame(raw: unknown): ResponseFrame | EventFrame | undefined {
  if (!isRecord(raw)) return undefined;
  if (raw.t === 'res') {
    const result = raw.result;
    if (typeof raw.id !== 'number' || !isRecord(result)) return undefined;
    if (result.ok === true) return { t: 'res', id: raw.id, result: { ok: true, value: result.value } };
    if (result.ok === false && isRecord(result.error) && typeof result.error.code === 'string') {
      return { t: 'res', id: raw.id, result: { ok: false, error: result.error as ApiError } };
    }
    return undefined;
  }
  if (raw.t === 'evt' && typeof raw.name === 'string') return raw as EventFrame;
  return undefined;
}
