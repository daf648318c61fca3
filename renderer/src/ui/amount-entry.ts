/**
 * Amounts typed on the till's keypad ("120", "99.5", "0.05") → integer fen, without ever going
 * through a float. Undefined when the text is not an amount the till accepts.
 */
const AMOUNT = /^(\d{1,9})(?:\.(\d{0,2}))?$/;

export function parseYuanToFen(text: string): number | undefined {
  const match = AMOUNT.exec(text.trim());
  if (!match) return undefined;
  const yuan = match[1] ?? '0';
  const cents = (match[2] ?? '').padEnd(2, '0');
  return Number(yuan) * 100 + Number(cents);
}

/** A key pressed on the amount keypad: digits, one decimal point, at most two decimals. */
export function typeAmountKey(current: string, key: string): string {
  if (key === 'clear') return '';
  if (key === 'back') return current.slice(0, -1);
  if (key === '.') {
    if (current.includes('.')) return current;
    return current === '' ? '0.' : `${current}.`;
  }
  if (!/^\d$/.test(key)) return current;
  const dot = current.indexOf('.');
  if (dot >= 0 && current.length - dot > 2) return current; // already two decimals
  if (dot < 0 && current.replace(/^0+/, '').length >= 7) return current; // ¥9,999,999 is the most a till takes in cash
  if (current === '0') return key;
  return current + key;
}

/**
 * Notes a customer is likely to hand over for `dueFen`: the exact amount, then the next round
 * amounts of ¥10, ¥50 and ¥100 — what the quick buttons offer. Sorted, no duplicates.
 */
export function quickAmounts(dueFen: number): number[] {
  if (dueFen <= 0) return [];
  const out = new Set<number>([dueFen]);
  for (const step of [1_000, 5_000, 10_000]) out.add(Math.ceil(dueFen / step) * step);
  out.add(Math.ceil(dueFen / 10_000) * 10_000 + 10_000);
  return [...out].sort((a, b) => a - b).slice(0, 5);
}
