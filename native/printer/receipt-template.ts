import type { ReceiptDocument } from './receipt-document.js';
import { labelsFor, titleOf } from './receipt-labels.js';
import { yuan } from '../../sync/protocol/money.js';

/** Characters per line for the paper width (receiptline lays out 12 dots a character: 384 / 576 dots). */
export function charsPerLine(paperMm: 58 | 80): number {
  return paperMm === 58 ? 32 : 48;
}

/** receiptline's markup characters; user text is escaped so a name like `T-shirt | 2` prints as written. */
const SPECIAL = /[\\|{}\-=~_"`^]/g;

export function escapeMarkup(text: string): string {
  // Newlines and other control characters would break the line structure of the markup.
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(SPECIAL, (c) => `\\${c}`);
}

/** A property value (`{code:…}`): only `\\ ; { } |` are special there, and other escapes are dropped. */
export function escapeProperty(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '').replace(/[\\;{}|]/g, (c) => `\\${c}`);
}

/** A UTC instant shown in the store's timezone: `2026-11-22 18:04:05`. */
export function storeTime(iso: string, timezone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(date);
  } catch {
    // An unknown timezone name must not stop a receipt: print UTC, labelled.
    return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

export type TemplateOptions = {
  paperMm: 58 | 80;
  /** A base64 PNG printed at the top (store logo), when the profile asks for it. */
  logoPng?: string;
};

/**
 * The one receipt template: a ReceiptDocument as receiptline markup. The same markup becomes
 * ESC/POS text, the raster image and the SVG preview, so what the preview shows is what prints.
 */
export function receiptMarkup(doc: ReceiptDocument, options: TemplateOptions): string {
  const t = labelsFor(doc.language);
  const e = escapeMarkup;
  const out: string[] = [];
  const center = (text: string) => out.push('{width:*}', `| ${text} |`);
  if (options.logoPng) out.push(`{image:${options.logoPng}}`);
  center(`^^${e(doc.store.name)}^^`);
  if (doc.store.address) center(e(doc.store.address));
  if (doc.store.phone) center(e(doc.store.phone));
  if (doc.copy) center(`\`^${e(t.copy)}^\``);
  center(`"${e(titleOf(doc.kind, t))}"`);
  // A trailing ` |` aligns a single column left (receiptline centres a bare line).
  const left = (text: string) => out.push(`${text} |`);
  out.push('{width:*}');
  if (doc.receiptNo) left(`${t.receiptNo}: ${e(doc.receiptNo)}`);
  left(`${t.time}: ${storeTime(doc.issuedAt, doc.timezone)}`);
  if (doc.staffName) left(`${t.staff}: ${e(doc.staffName)}`);
  if (doc.deviceCode) left(`${t.device}: ${e(doc.deviceCode)}`);
  out.push('---');

  if (doc.lines.length > 0) {
    out.push('{width:*,5,12}', `${e(t.item)} | ${e(t.qty)}| ${e(t.amount)}|`, '---');
    for (const line of doc.lines) {
      out.push(`${e(line.name)} | ${line.qty}| ${yuan(line.totalFen)}|`);
      const below: string[] = [];
      if (line.detail) below.push(e(line.detail));
      below.push(`${line.qty} × ${yuan(line.unitFen)}`);
      out.push('{width:*}');
      left(below.join('  '));
      if (line.discountFen > 0) out.push('{width:*,12}', `${e(t.discount)} | ${yuan(-line.discountFen)}|`);
      out.push('{width:*,5,12}');
    }
    out.push('---');
  }

  if (doc.totals) {
    const row = (label: string, fen: number, strong = false) =>
      out.push(strong ? `"${e(label)}" | "${yuan(fen)}"|` : `${e(label)} | ${yuan(fen)}|`);
    out.push('{width:*,16}');
    row(t.subtotal, doc.totals.subtotalFen);
    if (doc.totals.discountFen !== 0) row(t.discount, -Math.abs(doc.totals.discountFen));
    if (doc.totals.pointsRedeemedFen) row(t.points, -Math.abs(doc.totals.pointsRedeemedFen));
    row(t.total, doc.totals.totalFen, true);
    for (const tender of doc.tenders ?? []) {
      const ref = tender.reference ? ` ${e(tender.reference)}` : '';
      row(`${t.tenders[tender.method] ?? tender.method}${ref}`, tender.amountFen);
    }
    if (doc.totals.tenderedFen !== undefined) row(t.tendered, doc.totals.tenderedFen);
    if (doc.totals.changeFen !== undefined) row(t.change, doc.totals.changeFen);
    out.push('---');
  }

  if (doc.member) {
    out.push('{width:*}');
    left(`${t.member}: ${e(doc.member.name)} (${e(doc.member.tier)}) ${e(doc.member.code)}`);
    if (doc.member.pointsEarned !== undefined) left(`${t.pointsEarned}: ${doc.member.pointsEarned}`);
    if (doc.member.pointsBalance !== undefined) left(`${t.pointsBalance}: ${doc.member.pointsBalance}`);
    out.push('---');
  }

  if (doc.report) {
    out.push('{width:*}', `"${e(doc.report.title)}"`, '{width:*,16}');
    for (const r of doc.report.rows) out.push(`${e(r.label)} | ${e(r.value)}|`);
    out.push('---');
  }

  if (doc.kind === 'test') {
    out.push('{width:*}');
    for (const line of t.testBody) left(e(line));
    out.push('---');
  }

  if (doc.qr) {
    // receiptline's `qrcode` option draws the symbol with its quiet zone (4 modules) in every output.
    out.push('{width:*}', `{code:${escapeProperty(doc.qr.url)}; option:qrcode,5,m}`);
    if (doc.qr.caption) center(e(doc.qr.caption));
  }
  if (doc.receiptNo) out.push('{width:*}', `{code:${escapeProperty(doc.receiptNo)}; option:code128,2,64,hri}`);
  if (doc.footer && doc.footer.length > 0) {
    for (const line of doc.footer) center(e(line));
  }
  return out.join('\n') + '\n';
}
