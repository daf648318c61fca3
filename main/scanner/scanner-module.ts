import type { ScanEvent } from '../api/contract.js';
import { open } from '../api/guards.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import { classifyScan } from '../../native/scanner/classify.js';

/** Classifies a raw scan from any source and announces it; screens react to the `scanned` event. */
export function announceScan(
  ctx: Pick<TerminalContext, 'newId' | 'clock' | 'events'>,
  raw: string,
  source: ScanEvent['source'],
): ScanEvent {
  const c = classifyScan(raw);
  const event: ScanEvent = { id: ctx.newId(), source, raw, kind: c.kind, at: ctx.clock().toISOString() };
  if (c.kind === 'product') Object.assign(event, { code: c.code, symbology: c.symbology });
  if (c.kind === 'malformed') event.reason = c.reason;
  ctx.events.emit('scanned', event);
  return event;
}

/** A keyboard-wedge scan the renderer detected: scanning needs no session (the lookup screen works logged out). */
export function scannerModule(ctx: TerminalContext): DomainModule<'scanner'> {
  return { handlers: { submit: open(({ raw, source }) => announceScan(ctx, raw, source)) } };
}
