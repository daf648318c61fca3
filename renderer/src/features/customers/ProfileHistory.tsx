import { useApp, useStoreTimeZone, useT } from '../../app/services.js';
import { pickName } from '../../i18n/pick-name.js';
import { formatFen } from '../../ui/format/money.js';
import { formatDate } from './customers-text.js';
import type { CustomerProfile } from './customers-types.js';

/** The customer's purchases on every channel (with who sold and who serves), their coupons and open tasks. */
export function ProfileHistory({ profile: p }: { profile: CustomerProfile }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const timeZone = useStoreTimeZone();
  const open = p.tasks.filter((x) => x.status === 'open' || x.status === 'snoozed');
  const usable = p.coupons.filter((c) => c.status === 'available');
  return (
    <>
      {open.length > 0 && (
        <section className="cb-section">
          <h3>{t('customers.profile.tasks')}</h3>
          <ul className="co-list cb-log">
            {open.map((x) => (
              <li key={x.id}>
                <p>{pickName(x.name, language)}</p>
                <span className="cb-muted">{t('customers.list.due', { date: formatDate(x.dueAt, timeZone, language) })}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="cb-section">
        <h3>{t('customers.profile.coupons')}</h3>
        {usable.length === 0 ? (
          <p className="cb-muted">{t('customers.profile.noCoupons')}</p>
        ) : (
          <div className="cb-chips">
            {usable.map((c) => (
              <span key={c.code} className="cb-tag cb-tag-auto">
                {pickName(c.name, language)}
              </span>
            ))}
          </div>
        )}
      </section>
      <section className="cb-section" data-testid="profile-purchases">
        <h3>{t('customers.profile.purchases')}</h3>
        {p.purchases.length === 0 ? (
          <p className="cb-muted">{t('customers.profile.noPurchases')}</p>
        ) : (
          <ul className="co-list cb-log">
            {p.purchases.map((x) => (
              <li key={x.id}>
                <p>
                  <strong>{formatFen(x.totalFen)}</strong> · {t(`customers.channel.${x.channel}`)}
                  {x.store ? ` · ${pickName(x.store, language)}` : ''} · {formatDate(x.at, timeZone, language)}
                </p>
                <span className="cb-muted">
                  {x.items.map((i) => `${i.name ? pickName(i.name, language) : i.sku}${i.size ? ` ${i.size}` : ''} ×${i.qty}`).join('，')}
                </span>
                <span className="cb-muted">
                  {x.salesStaff ? t('customers.profile.sales', { name: x.salesStaff }) : ''}{' '}
                  {x.serviceGuide ? t('customers.profile.service', { name: x.serviceGuide }) : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
