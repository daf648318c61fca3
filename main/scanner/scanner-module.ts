import type { ScanEvent } from '../api/contract.js';
import { open } from '../api/guards.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import { readScan } from '../../native/scanner/classify.js';

/**
 * Classifies a raw scan from any source and announces it; screens react to the `scanned` event.
 * The event's kinds stay the contract's three: a case/carton code is `unknown` with its `gtin14`.
 */
export function announceScan(
  ctx: Pick<TerminalContext, 'newId' | 'clock' | 'events'>,
  raw: string,
  source: ScanEvent['source'],
): ScanEvent {
  const read = readScan(raw);
  const c = read.classification;
  const event: ScanEvent = {
    id: ctx.newId(),
    source,
    raw,
    kind: c.kind === 'case' ? 'unknown' : c.kind,
    text: read.text,
    at: ctx.clock().toISOString(),
  };
  if (read.aim) event.aim = read.aim.id;
  if (c.kind === 'product') Object.assign(event, { code: c.code, symbology: c.symbology });
  if (read.gtin14) event.gtin14 = read.gtin14;
  if (c.kind === 'malformed') event.reason = c.reason;
  ctx.events.emit('scanned', event);
  return event;
}

/** A keyboard-wedge scan the renderer detected: scanning needs no session (the lookup screen works logged out). */
export function scannerModule(ctx: TerminalContext): DomainModule<'scanner'> {
  return { handlers: { submit: open(({ raw, source }) => announceScan(ctx, raw, source)) } };
}
