import type { EventFrame, EventName, Events } from './contract.js';

export type EventListener = (frame: EventFrame) => void;

/** Fans main's events out to every connected renderer, whatever its transport. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    const frame = { t: 'evt', name, payload } as EventFrame;
    for (const listener of this.listeners) listener(frame);
  }

  get size(): number {
    return this.listeners.size;
  }
}
