import type { ChangeInput } from '../store/outbox.js';
import type { EventType } from '../../sync/protocol/events/index.js';

/**
 * A change of a type the protocol does not define, for tests of the outbox's own mechanics
 * (atomicity, ordering, crashes): production code can only write the protocol's event types.
 */
export function untypedChange(type: string, payload: unknown, staffId: string | null): ChangeInput<EventType> {
  return { type, payload, staffId } as unknown as ChangeInput<EventType>;
}
