import { useRef } from 'react';
import type { FormEvent } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { pickName } from '../../i18n/pick-name.js';
import { NONE, useCart } from './checkout-hooks.js';
import { useApp, useServices, useT } from '../../app/services.js';
import './coupons-panel.css';

/** Coupons on this sale, each with what it took off or why it takes nothing; and points to redeem. */
export function CouponsPanel() {
  const t = useT();
  const language = useApp((s) => s.language);
  const { cart } = useServices();
  const coupons = useCart((s) => s.cart?.coupons ?? NONE);
  const member = useCart((s) => s.cart?.member ?? null);
  const points = useCart((s) => s.cart?.points ?? null);
  const codeField = useRef<HTMLInputElement>(null);
  const pointsField = useRef<HTMLInputElement>(null);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const code = codeField.current?.value.trim();
    if (!code) return;
    void cart
      .getState()
      .applyCoupon(code)
      .then((ok) => {
        if (ok && codeField.current) codeField.current.value = '';
      });
  };

  const redeem = (event: FormEvent) => {
    event.preventDefault();
    const value = Number(pointsField.current?.value ?? '');
    if (!Number.isInteger(value) || value < 0) return;
    void cart.getState().redeemPoints(value);
  };

  return (
    <section className="co-panel" aria-label={t('checkout.coupon.title')}>
      <h3 className="co-panel-title">{t('checkout.coupon.title')}</h3>
      {coupons.length > 0 && (
        <ul className="co-applied">
          {coupons.map((c) => (
            <li
              key={c.code}
              className={c.active ? 'co-applied-row' : 'co-applied-row is-inactive'}
              data-testid="applied-coupon"
              data-code={c.code}
              data-active={c.active}
            >
              <div className="co-grow">
                <div className="co-applied-name">
                  {pickName(c.name, language)}
                  {c.offline && <span className="co-tag co-tag-warn">{t('checkout.coupon.offline')}</span>}
                </div>
                {!c.active && c.reason && (
                  <div className="co-applied-reason" data-testid="coupon-reason">
                    {t(`checkout.coupon.reason.${c.reason}`)}
                  </div>
                )}
              </div>
              <span className="co-money co-discount">{c.active ? `−${formatFen(c.discountFen)}` : '—'}</span>
              <button
                type="button"
                className="co-icon-button"
                aria-label={t('checkout.coupon.remove')}
                data-testid="coupon-remove"
                onClick={() => void cart.getState().removeCoupon(c.code)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="co-inline-form" onSubmit={apply}>
        <input
          ref={codeField}
          className="co-input co-grow"
          data-testid="coupon-code"
          placeholder={t('checkout.coupon.placeholder')}
          aria-label={t('checkout.coupon.placeholder')}
          autoComplete="off"
        />
        <button type="submit" className="button-ghost" data-testid="coupon-apply">
          {t('checkout.coupon.apply')}
        </button>
      </form>
      {member && member.points > 0 && (
        <form className="co-inline-form" onSubmit={redeem}>
          <input
            ref={pointsField}
            key={points?.redeemed ?? 0}
            className="co-input co-grow"
            data-testid="points-input"
            inputMode="numeric"
            defaultValue={points?.redeemed ? String(points.redeemed) : ''}
            placeholder={t('checkout.points.placeholder', { rate: member.pointsPerYuan })}
            aria-label={t('checkout.points.label')}
            autoComplete="off"
          />
          <button type="submit" className="button-ghost" data-testid="points-apply">
            {t('checkout.points.redeem')}
          </button>
        </form>
      )}
      {points && points.redeemed > 0 && (
        <p className="co-hint" data-testid="points-redeemed">
          {t('checkout.points.redeemed', { points: points.redeemed, amount: formatFen(points.valueFen) })}
          {points.offline && <span className="co-tag co-tag-warn">{t('checkout.coupon.offline')}</span>}
        </p>
      )}
    </section>
  );
}
