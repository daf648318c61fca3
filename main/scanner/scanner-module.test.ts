import { describe, expect, it } from 'vitest';
import type { EventFrame, ScanEvent } from '../api/contract.js';
import { EventBus } from '../api/event-bus.js';
import { announceScan } from './scanner-module.js';

function announcer() {
  const events = new EventBus();
  const seen: EventFrame[] = [];
  events.subscribe((f) => seen.push(f));
  let n = 0;
  const ctx = { events, newId: () => `scan-${++n}`, clock: () => new Date(Date.UTC(2026, 10, 22, 2, 0, 0)) };
  return { seen, announce: (raw: string, source: ScanEvent['source'] = 'serial') => announceScan(ctx, raw, source) };
}

describe('the scanned event', () => {
  it('carries the cleaned code and the AIM identifier, and the same classification as the bare code', () => {
    const { seen, announce } = announcer();
    const event = announce(']E06971111376183\r\n');
    expect(event).toEqual({
      id: 'scan-1',
      source: 'serial',
      raw: ']E06971111376183\r\n',
      kind: 'product',
      text: '6971111376183',
      aim: ']E0',
      code: '6971111376183',
      symbology: 'ean13',
      at: '2026-11-22T02:00:00.000Z',
    });
    expect(seen).toEqual([{ t: 'evt', name: 'scanned', payload: event }]);
    expect(announce('6971111376183')).toMatchObject({ kind: 'product', code: '6971111376183', text: '6971111376183' });
    expect(announce('6971111376183').aim).toBeUndefined();
  });

  it('gives screens the text to look up for codes it does not sell: receipts behind ]C0, full-width member codes', () => {
    const { announce } = announcer();
    expect(announce(']C0S001-7F3A-261122-0042', 'wedge')).toMatchObject({ kind: 'unknown', aim: ']C0', text: 'S001-7F3A-261122-0042' });
    expect(announce('Ｍ００００００１２', 'wedge')).toMatchObject({ kind: 'unknown', text: 'M00000012' });
  });

  it('keeps the three kinds: a carton GTIN-14 is unknown with its gtin14, a GTIN-14 with indicator 0 is the item', () => {
    const { announce } = announcer();
    expect(announce('16971111376180')).toMatchObject({ kind: 'unknown', gtin14: '16971111376180' });
    expect(announce(']I106971111376183')).toMatchObject({ kind: 'product', code: '6971111376183', symbology: 'gtin14', aim: ']I1' });
    expect(announce(']C10106971111376183\x1d10LOT-A')).toMatchObject({ kind: 'product', symbology: 'gs1', gtin14: '06971111376183' });
    expect(announce(']E06971111376184')).toMatchObject({ kind: 'malformed', reason: 'bad_check_digit' });
  });
});
