import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { pickName } from '../../i18n/pick-name.js';
import { useCart } from './checkout-hooks.js';
import { useApp, useServices, useT } from '../../app/services.js';
import type { MemberCoupon } from './checkout-types.js';
import { NewMemberDialog } from '../customers/NewMemberDialog.js';
import './member-panel.css';

/**
 * The customer: scan their member QR anywhere on the Sell screen, or search by mobile number; a
 * customer who is not a member yet is signed up (建档) here, for the logged-in staff member, and can
 * be found once HQ confirms.
 */
export function MemberPanel() {
  const t = useT();
  const { cart } = useServices();
  const member = useCart((s) => s.cart?.member ?? null);
  const phone = useRef<HTMLInputElement>(null);
  const [signUp, setSignUp] = useState<{ phone: string } | null>(null);
  const [sent, setSent] = useState(false);

  const search = (event: FormEvent) => {
    event.preventDefault();
    const value = phone.current?.value.trim() ?? '';
    if (!value) return;
    const input = /^1\d{10}$/.test(value) ? { phone: value } : { code: value.toUpperCase() };
    void cart
      .getState()
      .identifyMember(input)
      .then((ok) => {
        if (!ok) return;
        if (phone.current) phone.current.value = '';
        setSent(false);
      });
  };

  if (!member) {
    return (
      <section className="co-member-strip is-empty" aria-label={t('checkout.member.title')}>
        <span className="co-member-label">{t('checkout.member.title')}</span>
        <form className="co-inline-form co-grow" onSubmit={search}>
          <input
            ref={phone}
            className="co-input co-grow"
            data-testid="member-search"
            inputMode="numeric"
            placeholder={t('checkout.member.placeholder')}
            aria-label={t('checkout.member.placeholder')}
            autoComplete="off"
          />
          <button type="submit" className="button-ghost" data-testid="member-search-submit">
            {t('checkout.member.find')}
          </button>
          <button
            type="button"
            className="button-ghost"
            data-testid="member-new"
            onClick={() => {
              const typed = phone.current?.value.trim() ?? '';
              setSignUp({ phone: /^1\d{10}$/.test(typed) ? typed : '' });
            }}
          >
            {t('checkout.member.new')}
          </button>
        </form>
        <span className="co-hint co-member-hint" data-testid="member-hint">
          {t(sent ? 'checkout.member.sent' : 'checkout.member.scanHint')}
        </span>
        {signUp && <NewMemberDialog phone={signUp.phone} onSent={() => setSent(true)} onClose={() => setSignUp(null)} />}
      </section>
    );
  }

  return (
    <section className="co-member-strip" aria-label={t('checkout.member.title')} data-testid="member-panel" data-member-id={member.id}>
      <div className="co-member-id">
        <div className="co-member-name" data-testid="member-name">
          {member.name}
        </div>
        <div className="co-member-meta">
          <span className={`co-tier co-tier-${member.tier}`} data-testid="member-tier">
            {t(`checkout.tier.${member.tier}`)}
          </span>
          <span className="mono">{member.phone}</span>
        </div>
      </div>
      <div className="co-member-points">
        <span>{t('checkout.member.points')}</span>
        <strong data-testid="member-points">{member.points.toLocaleString()}</strong>
      </div>
      <MemberCoupons coupons={member.coupons} />
      <button
        type="button"
        className="co-icon-button"
        aria-label={t('checkout.member.remove')}
        data-testid="member-remove"
        onClick={() => void cart.getState().removeMember()}
      >
        ×
      </button>
    </section>
  );
}

function MemberCoupons({ coupons }: { coupons: MemberCoupon[] }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const { cart } = useServices();
  const applied = useCart((s) => s.cart?.coupons);
  const available = coupons.filter((c) => c.status === 'available' && !applied?.some((a) => a.code === c.code));
  if (available.length === 0) return <div className="co-grow" />;
  return (
    <ul className="co-wallet" aria-label={t('checkout.member.coupons')}>
      {available.map((coupon) => (
        <li key={coupon.code}>
          <button
            type="button"
            className="co-wallet-coupon"
            data-testid="member-coupon"
            data-code={coupon.code}
            onClick={() => void cart.getState().applyCoupon(coupon.code)}
          >
            <span className="co-wallet-value">{couponValue(t, coupon)}</span>
            <span className="co-wallet-name">{pickName(coupon.name, language)}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function couponValue(t: ReturnType<typeof useT>, coupon: MemberCoupon): string {
  if (coupon.kind === 'percent') return t('checkout.coupon.percentOff', { percent: coupon.percent });
  // A ticket has little room: whole yuan without the ".00".
  return formatFen(coupon.valueFen).replace(/\.00$/, '');
}
