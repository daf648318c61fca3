import type { Api } from '../../api/api-client.js';
import type { EventName, Events, Result } from '../../api/contract.js';

type Answer = Result<unknown> | ((input: unknown) => Result<unknown>);

/**
 * A fake main for the devices stores' tests: answers `domain.method` from a table (a fixed
 * result or a function of the input), records calls, and emits events and reconnects on demand.
 */
export function fakeDevicesApi(answers: Record<string, Answer>) {
  const calls: { key: string; input: unknown }[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const opens = new Set<() => void>();
  const api: Api = {
    call: (async (domain: string, method: string, input: unknown) => {
      const key = `${domain}.${method}`;
      calls.push({ key, input });
      const answer = answers[key];
      if (!answer) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: key } };
      return typeof answer === 'function' ? answer(input) : answer;
    }) as Api['call'],
    on: (<E extends EventName>(name: E, listener: (payload: Events[E]) => void) => {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    }) as Api['on'],
    isOpen: () => true,
    onOpen: (listener) => {
      opens.add(listener);
      return () => opens.delete(listener);
    },
    onClose: () => () => {},
  };
  return {
    api,
    calls,
    emit<E extends EventName>(name: E, payload: Events[E]) {
      for (const l of listeners.get(name) ?? []) l(payload);
    },
    reconnect() {
      for (const l of opens) l();
    },
  };
}
