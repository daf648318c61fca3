import { describe, expect, it } from 'vitest';
import { ScanLineFramer } from './scan-line-framer.js';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('scan line framing', () => {
  it('splits on CR or LF, skipping the empty line of a CRLF', () => {
    const f = new ScanLineFramer('CR', 64);
    expect(f.push(bytes('123\r\n456\n789\r'))).toEqual({ scans: ['123', '456', '789'], errors: [] });
  });

  it('keeps a line split across chunks, and flushes or drops a line left without terminator', () => {
    const f = new ScanLineFramer('LF', 64);
    expect(f.push(bytes('69711113')).scans).toEqual([]);
    expect(f.push(bytes('76183\n')).scans).toEqual(['6971111376183']);
    f.push(bytes('M0001'));
    expect(f.hasPartial).toBe(true);
    expect(f.flush(true).scans).toEqual(['M0001']);
    f.push(bytes('M0002'));
    expect(f.flush(false).errors).toEqual([{ kind: 'partial', detail: '5 bytes with no terminator' }]);
    expect(f.hasPartial).toBe(false);
  });

  it('rejects over-long lines once each, and the next line is whole again', () => {
    const f = new ScanLineFramer('CR', 8);
    const out = f.push(bytes('123456789012345\rABC\r'));
    expect(out.errors.map((e) => e.kind)).toEqual(['overlong']);
    expect(out.scans).toEqual(['ABC']);
  });

  it('rejects control bytes and invalid UTF-8 as garbage but keeps GS (FNC1) and UTF-8 Chinese', () => {
    const f = new ScanLineFramer('CR', 128);
    const out = f.push(
      Buffer.concat([
        bytes('ab\x07c\r'),
        Buffer.from([0xff, 0xfe, 0x0d]),
        bytes(']C10109876543210982\x1d10LOT\r'),
        Buffer.from('会员M1\r', 'utf8'),
      ]),
    );
    expect(out.errors.map((e) => e.kind)).toEqual(['garbage', 'garbage']);
    expect(out.scans).toEqual([']C10109876543210982\x1d10LOT', '会员M1']);
  });
});
