import { useT } from '../../app/services.js';
import { ReceiptPreview } from '../devices/ReceiptPreview.js';
import './receipt-slot.css';

type Props = { receiptNo: string; /** The receipt went to the print queue: its preview can be shown. */ sent: boolean };

/** After a sale: the receipt number a return needs, and the receipt as the printer got it. */
export function ReceiptSlot({ receiptNo, sent }: Props) {
  const t = useT();
  return (
    <div className="co-receipt-slot" data-testid="receipt-slot" data-receipt-no={receiptNo}>
      <span className="co-muted">{t('checkout.done.receiptNo')}</span>
      <span className="co-receipt-no mono">{receiptNo}</span>
      {sent && <ReceiptPreview receiptNo={receiptNo} />}
    </div>
  );
}
