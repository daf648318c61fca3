import { useT } from '../../state/services.js';

type Props = { receiptNo: string };

/**
 * Where the receipt preview goes after a sale. The peripherals issue provides `ReceiptPreview`
 * (the rendered receipt); until it is wired in here, the slot shows the receipt number, which is
 * what a return needs.
 */
export function ReceiptSlot({ receiptNo }: Props) {
  const t = useT();
  return (
    <div className="co-receipt-slot" data-testid="receipt-slot" data-receipt-no={receiptNo}>
      <span className="co-muted">{t('co.done.receiptNo')}</span>
      <span className="co-receipt-no mono">{receiptNo}</span>
    </div>
  );
}
