import type { SaleSummary, SaleView } from '../api/contract.js';
import { attempt } from '../core/peripherals.js';
import type { Peripherals } from '../core/peripherals.js';
import type { TillSessions } from '../cashup/till-sessions.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';
import type { SalesReader } from './sales-reader.js';

export type SalesDeps = {
  sales: SalesReader;
  tills: TillSessions;
  receipt: (sale: SaleView, copy: boolean) => ReceiptDocument;
  peripherals: Peripherals;
};

/** The sales history on this device: today's sales, one by receipt number, a member's, and reprints. */
export class SalesService {
  constructor(private readonly deps: SalesDeps) {}

  /** The open business day's sales, or the last closed day's when the till is closed. */
  today(): SaleSummary[] {
    const day = this.deps.tills.open()?.business_day ?? this.deps.tills.lastClosed()?.business_day;
    return day ? this.deps.sales.ofDay(day) : [];
  }

  find(receiptNo: string): SaleView {
    return this.deps.sales.find(receiptNo);
  }

  byMember(memberId: string): SaleSummary[] {
    return this.deps.sales.ofMember(memberId);
  }

  async reprint(receiptNo: string): Promise<{ sent: boolean; error?: string }> {
    const sale = this.deps.sales.find(receiptNo);
    return attempt(() => this.deps.peripherals.printReceipt(this.deps.receipt(sale, true)));
  }
}
