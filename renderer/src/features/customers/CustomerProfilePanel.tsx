import { useState } from 'react';
import { useApp, useServices, useStoreTimeZone, useT } from '../../app/services.js';
import { formatFen } from '../../ui/format/money.js';
import { AssignDialog } from './AssignDialog.js';
import { ContactDialog } from './ContactDialog.js';
import { ProfileBook } from './ProfileBook.js';
import { ProfileHistory } from './ProfileHistory.js';
import { RevealDialog } from './RevealDialog.js';
import { useCustomers } from './customers-hooks.js';
import { formatDate } from './customers-text.js';

/** One customer: who they are, their guide and binding, tags, notes, contacts, purchases on every channel, tasks. */
export function CustomerProfilePanel({ manager }: { manager: boolean }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const timeZone = useStoreTimeZone();
  const { customers } = useServices();
  const p = useCustomers((s) => s.profile);
  const revealed = useCustomers((s) => (s.revealed && s.revealed.customerId === s.selectedId ? s.revealed.phone : undefined));
  const [dialog, setDialog] = useState<'reveal' | 'assign' | 'contact' | null>(null);
  if (!p) return <section className="cb-profile" aria-busy="true" data-testid="customer-profile-loading" />;
  const date = (iso: string) => formatDate(iso, timeZone, language);
  return (
    <section className="cb-profile" aria-label={p.name} data-testid="customer-profile" data-customer-id={p.id}>
      <button type="button" className="button-ghost cb-back" onClick={() => customers.getState().close()} data-testid="customer-back">
        ← {t('customers.profile.back')}
      </button>
      <header className="cb-profile-head">
        <span className="cb-avatar cb-avatar-big" aria-hidden="true">
          {p.name.slice(0, 1)}
        </span>
        <div className="cb-grow">
          <h2 data-testid="profile-name">
            {p.name} <span className={`co-tier co-tier-${p.tier}`}>{t(`customers.tier.${p.tier}`)}</span>
          </h2>
          <div className="cb-row-meta">
            <span>
              {t('customers.profile.phone')}{' '}
              <span className="mono" data-testid="profile-phone">
                {revealed ?? p.phone}
              </span>
            </span>
            {!revealed && (
              <button type="button" className="cb-link" onClick={() => setDialog('reveal')} data-testid="profile-reveal">
                {t('customers.profile.reveal')}
              </button>
            )}
            {p.memberCode && (
              <span>
                {t('customers.profile.member')} <span className="mono">{p.memberCode}</span>
              </span>
            )}
          </div>
          {p.takingOver && (
            <p className="cb-badge cb-badge-takeover" data-testid="profile-takeover">
              {t('customers.takingOver', { name: p.takingOver.from?.name ?? '', date: date(p.takingOver.until) })}
            </p>
          )}
          {!p.contactable && <p className="cb-badge cb-badge-muted">{t('customers.profile.optedOut')}</p>}
        </div>
      </header>
      <dl className="cb-facts">
        <Fact label={t('customers.profile.guide')} value={p.guide?.name ?? t('customers.list.pool')} testId="profile-guide" />
        <Fact label={t('customers.profile.points')} value={p.points.toLocaleString(language)} />
        <Fact
          label={t('customers.profile.spend')}
          value={`${formatFen(p.spendFen)} · ${t('customers.profile.purchaseCount', { count: p.purchaseCount })}`}
        />
        <Fact label={t('customers.profile.sizes')} value={p.sizes || '—'} />
        <Fact label={t('customers.profile.birthday')} value={p.birthday ?? '—'} />
        {p.protectedUntil && (
          <Fact label={t('customers.profile.guide')} value={t('customers.profile.protectedUntil', { date: date(p.protectedUntil) })} />
        )}
      </dl>
      <div className="cb-actions">
        <button type="button" className="button-ghost" onClick={() => setDialog('contact')} data-testid="profile-log-contact">
          {t('customers.profile.logContact')}
        </button>
        <button
          type="button"
          className="button-ghost"
          onClick={() => void customers.getState().setConsent(!p.contactable)}
          data-testid="profile-consent"
        >
          {p.contactable ? t('customers.profile.optOut') : t('customers.profile.optIn')}
        </button>
        {manager && (
          <button type="button" className="button-ghost" onClick={() => setDialog('assign')} data-testid="profile-assign">
            {t('customers.profile.assign')}
          </button>
        )}
      </div>
      <ProfileBook profile={p} />
      <ProfileHistory profile={p} />
      {dialog === 'reveal' && <RevealDialog onClose={() => setDialog(null)} />}
      {dialog === 'assign' && <AssignDialog customerId={p.id} currentGuideId={p.guide?.id ?? null} onClose={() => setDialog(null)} />}
      {dialog === 'contact' && <ContactDialog onClose={() => setDialog(null)} />}
    </section>
  );
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="cb-fact">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}
