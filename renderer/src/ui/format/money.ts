/**
 * The one place money is turned into text: integer fen → "¥1,299.00" for display, or "1299.00"
 * for the amount keypad. Integer arithmetic only, so a price never picks up float error; the yuan
 * sign is the same in both UI languages.
 */
export function formatFen(fen: number): string {
  const { sign, yuan, cents } = splitFen(fen);
  return `${sign}¥${yuan.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/** Integer fen → the keypad's text ("261.50"): no sign of the currency, no separators, what parseYuanToFen reads back. */
export function fenToYuanText(fen: number): string {
  const { sign, yuan, cents } = splitFen(fen);
  return `${sign}${yuan}.${cents}`;
}

function splitFen(fen: number): { sign: string; yuan: number; cents: string } {
  const abs = Math.abs(Math.trunc(fen));
  return { sign: fen < 0 ? '-' : '', yuan: Math.floor(abs / 100), cents: (abs % 100).toString().padStart(2, '0') };
}
