import { useEffect } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { useCart } from './checkout-hooks.js';
import { useServices, useT } from '../../app/services.js';
import { formatStoreTime } from '../../ui/format/store-time.js';
import { Modal } from '../../ui/Modal.js';

/** Carts put aside (a customer went to try something on); tap one to bring it back. */
export function ParkedDialog({ onClose, timezone }: { onClose: () => void; timezone: string }) {
  const t = useT();
  const { cart } = useServices();
  const parked = useCart((s) => s.parked);
  const hasItems = useCart((s) => (s.cart?.lines.length ?? 0) > 0);

  useEffect(() => {
    void cart.getState().loadParked();
  }, [cart]);

  return (
    <Modal title={t('checkout.parked.title')} onClose={onClose} testId="parked-dialog">
      {hasItems && <p className="co-hint">{t('checkout.parked.cartNotEmpty')}</p>}
      {parked?.length === 0 && <p className="co-muted">{t('checkout.parked.none')}</p>}
      <ul className="co-list">
        {parked?.map((p) => (
          <li key={p.parkedId}>
            <button
              type="button"
              className="co-list-row"
              data-testid="parked-cart"
              disabled={hasItems}
              onClick={() =>
                void cart
                  .getState()
                  .resume(p.parkedId)
                  .then((ok) => ok && onClose())
              }
            >
              <span className="co-grow">
                <strong>{p.note || t('checkout.parked.noNote')}</strong>
                <span className="co-muted">
                  {' '}
                  · {p.staffName} · {formatStoreTime(p.parkedAt, timezone)}
                </span>
              </span>
              <span className="co-muted">{t('checkout.parked.items', { count: p.itemCount })}</span>
              <strong className="co-money">{formatFen(p.totalFen)}</strong>
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
