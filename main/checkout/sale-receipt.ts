import type { Language, SaleView, TenderMethod } from '../api/contract.js';
import type { StoreInfoProvider } from '../core/store-info.js';
import type { ReceiptDocument, ReceiptKind } from '../../native/printer/receipt-document.js';
import type { MemberDirectory } from './members.js';

export type ReceiptContext = {
  language: Language;
  store: { name: string; code: string };
  deviceCode: string;
  timezone: string;
  member?: { tier: string; pointsBalance: number } | null;
};

/** Card and mobile references are printed with only their last four characters. */
function mask(reference: string): string {
  return reference.length <= 4 ? reference : `****${reference.slice(-4)}`;
}

const RECEIPT_KIND: Record<SaleView['kind'], ReceiptKind> = { sale: 'sale', return: 'return', exchange: 'exchange' };

/** The receipt of a sale, return or exchange: the same numbers the cart showed (the pricing engine's, as stored). */
export function saleReceipt(sale: SaleView, c: ReceiptContext, copy = false): ReceiptDocument {
  const zh = c.language === 'zh-CN';
  const tendered = sale.tenders.reduce((a, t) => a + (t.amountFen > 0 ? (t.givenFen ?? t.amountFen) : 0), 0);
  const doc: ReceiptDocument = {
    kind: RECEIPT_KIND[sale.kind],
    language: c.language,
    receiptNo: sale.receiptNo,
    store: c.store,
    deviceCode: c.deviceCode,
    staffName: sale.staff.name,
    issuedAt: sale.createdAt,
    timezone: c.timezone,
    lines: sale.lines.map((l) => ({
      name: zh ? l.name.zh : l.name.en,
      detail: `${l.sku} ${zh ? l.colour.zh : l.colour.en} ${l.size}`,
      qty: l.qty,
      unitFen: l.unitFen,
      discountFen: Math.abs(l.discountFen),
      totalFen: l.totalFen,
    })),
    totals: {
      subtotalFen: sale.totals.subtotalFen,
      discountFen: sale.totals.discountFen,
      totalFen: sale.totals.netFen,
      ...(sale.points ? { pointsRedeemedFen: sale.points.valueFen } : {}),
      ...(tendered > 0 ? { tenderedFen: tendered } : {}),
      changeFen: sale.totals.changeFen,
    },
    tenders: sale.tenders.map((t) => ({
      method: t.method satisfies TenderMethod,
      amountFen: t.amountFen,
      ...(t.reference ? { reference: mask(t.reference) } : {}),
    })),
  };
  if (copy) doc.copy = true;
  if (sale.member) {
    doc.member = {
      name: sale.member.name,
      code: sale.member.code,
      tier: c.member?.tier ?? '',
      ...(sale.points ? { pointsEarned: sale.points.earned } : {}),
      ...(c.member ? { pointsBalance: c.member.pointsBalance } : {}),
    };
  }
  if (sale.originalReceiptNo) doc.footer = [zh ? `原小票 ${sale.originalReceiptNo}` : `Original receipt ${sale.originalReceiptNo}`];
  return doc;
}

export type SaleReceiptsDeps = {
  language: () => Language;
  store: StoreInfoProvider;
  deviceCode: string;
  members: MemberDirectory;
  clock: () => Date;
};

/** A sale's receipt for this device: the UI language, the store, the member's tier and balance now. */
export function saleReceipts(deps: SaleReceiptsDeps): (sale: SaleView, copy: boolean) => ReceiptDocument {
  return (sale, copy) => {
    const language = deps.language();
    const store = deps.store();
    const member = sale.member ? deps.members.view(sale.member.id, deps.clock()) : undefined;
    return saleReceipt(
      sale,
      {
        language,
        store: { name: language === 'zh-CN' ? store.name.zh : store.name.en, code: store.code },
        deviceCode: deps.deviceCode,
        timezone: store.timezone,
        member: member ? { tier: member.tier, pointsBalance: member.points } : null,
      },
      copy,
    );
  };
}
