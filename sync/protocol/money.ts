/**
 * Money is integer fen everywhere — on the device, on the wire, at HQ. This is the one text form
 * of an amount outside the renderer (receipts, reports, messages from the terminal and from HQ):
 * `￥1,234.56`. `￥` (U+FFE5), not `¥`: GBK has no `¥`, and receipts print in GB18030.
 * Integer arithmetic only, so an amount never picks up float error.
 */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}￥${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}
