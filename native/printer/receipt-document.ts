/**
 * What a receipt says, independent of how it is printed. Checkout (sales, returns, cash-up)
 * produces these; the printer pipeline renders them to ESC/POS (GB18030 text or raster) and to
 * SVG/PNG previews from one template. Money is integer fen; times are UTC instants shown in the
 * store's timezone. Fixed labels ("合计", "Change") belong to the template, in `language`.
 */
export type ReceiptKind = 'sale' | 'return' | 'exchange' | 'x_report' | 'z_report' | 'no_sale' | 'test';

export type ReceiptLine = {
  name: string;
  /** e.g. `SF25W0001-001-S 黑色 S` */
  detail?: string;
  /** Negative on returns. */
  qty: number;
  unitFen: number;
  /** Promotions, coupons and overrides allocated to this line (≥ 0). */
  discountFen: number;
  /** What the customer pays for the line: qty × unit − discount (negative on returns). */
  totalFen: number;
};

export type ReceiptTender = {
  /** `cash`, `card`, `wechat`, `alipay`, `unionpay`, `external` … the template translates known methods. */
  method: string;
  amountFen: number;
  /** Card/mobile reference, shown masked by the producer. */
  reference?: string;
};

export type ReceiptDocument = {
  kind: ReceiptKind;
  language: 'zh-CN' | 'en';
  /** Unique per device; printed as text and as a CODE128 barcode for returns. */
  receiptNo?: string;
  /** A reprint the user asked for: printed with a visible COPY / 重印 mark. */
  copy?: boolean;
  store: { name: string; code: string; address?: string; phone?: string };
  deviceCode?: string;
  staffName?: string;
  issuedAt: string;
  timezone: string;
  lines: ReceiptLine[];
  totals?: {
    subtotalFen: number;
    discountFen: number;
    totalFen: number;
    pointsRedeemedFen?: number;
    tenderedFen?: number;
    changeFen?: number;
  };
  tenders?: ReceiptTender[];
  member?: { name: string; code: string; tier: string; pointsEarned?: number; pointsBalance?: number };
  /** The member mini-program link, printed as a QR code with a quiet zone. */
  qr?: { url: string; caption?: string };
  /** X/Z reports, no-sale slips: producer-labelled rows. */
  report?: { title: string; rows: { label: string; value: string }[] };
  footer?: string[];
};
