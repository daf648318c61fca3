import { useState } from 'react';
import type { FormEvent } from 'react';
import { useApp, useServices, useStoreTimeZone, useT } from '../../app/services.js';
import { useSession } from '../session/session-hooks.js';
import { BindDialog } from './BindDialog.js';
import { NewMemberDialog } from './NewMemberDialog.js';
import { PendingRequests } from './PendingRequests.js';
import { useCustomers } from './customers-hooks.js';
import { formatDate, isOverdue, tagText } from './customers-text.js';
import type { CustomerSummary } from './customers-types.js';

/** One page of the tab's customers, the next action first; search, tag chips, new member and binding. */
export function CustomerList() {
  const t = useT();
  const { customers } = useServices();
  const page = useCustomers((s) => s.page);
  const loading = useCustomers((s) => s.loading);
  const offset = useCustomers((s) => s.offset);
  const tags = useCustomers((s) => s.tags);
  const tag = useCustomers((s) => s.tag);
  const query = useCustomers((s) => s.query);
  const selected = useCustomers((s) => s.selectedId);
  const [text, setText] = useState(query);
  const [dialog, setDialog] = useState<'new' | 'bind' | null>(null);
  // Main refuses a bind by a role that holds no customers (a cashier); do not offer it.
  const binds = useSession((s) => s.session?.state === 'active' && s.session.permissions.bind);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    customers.getState().search(text);
  };
  const items = page?.items ?? [];
  return (
    <section className="cb-list" aria-label={t('customers.nav')} data-testid="customer-list">
      <form className="cb-search" onSubmit={submit} role="search">
        <input
          className="co-input cb-grow"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={t('customers.search.placeholder')}
          aria-label={t('customers.search.placeholder')}
          data-testid="customer-search"
          autoComplete="off"
        />
        <button type="submit" className="button-primary" data-testid="customer-search-submit">
          {t('customers.search.submit')}
        </button>
      </form>
      <div className="cb-actions">
        <button type="button" className="button-ghost" onClick={() => setDialog('new')} data-testid="customer-new">
          {t('customers.new')}
        </button>
        {binds && (
          <button type="button" className="button-ghost" onClick={() => setDialog('bind')} data-testid="customer-bind">
            {t('customers.bind')}
          </button>
        )}
      </div>
      {tags.length > 0 && (
        <div className="cb-chips" role="group" aria-label={t('customers.profile.tags')}>
          <ChipButton active={tag === null} label={t('customers.tags.all')} onClick={() => customers.getState().setTag(null)} />
          {tags.slice(0, 12).map((x) => (
            <TagChip key={x.tag} tag={x.tag} active={tag === x.tag} label={x} />
          ))}
        </div>
      )}
      <PendingRequests />
      <p className="cb-count" data-testid="customer-count">
        {page ? t('customers.list.count', { count: page.totalCapped ? `${page.total}+` : page.total }) : t('customers.list.loading')}
      </p>
      {page && items.length === 0 && !loading && <p className="cb-empty">{t('customers.list.empty')}</p>}
      <ul className="co-list cb-rows">
        {items.map((c) => (
          <CustomerRow key={c.id} customer={c} active={c.id === selected} />
        ))}
      </ul>
      {page && page.total > items.length && (
        <div className="cb-pager">
          <button
            type="button"
            className="button-ghost"
            disabled={offset === 0}
            onClick={() => customers.getState().turn(-1)}
            data-testid="customer-prev"
          >
            {t('customers.list.prev')}
          </button>
          <span>{t('customers.list.page', { from: offset + 1, to: offset + items.length })}</span>
          <button
            type="button"
            className="button-ghost"
            disabled={page.nextOffset === null}
            onClick={() => customers.getState().turn(1)}
            data-testid="customer-next"
          >
            {t('customers.list.next')}
          </button>
        </div>
      )}
      {dialog === 'new' && <NewMemberDialog onClose={() => setDialog(null)} />}
      {dialog === 'bind' && <BindDialog onClose={() => setDialog(null)} />}
    </section>
  );
}

function ChipButton({ active, label, onClick }: { active: boolean; label: string; onClick: () => void }) {
  return (
    <button type="button" className={active ? 'cb-chip is-active' : 'cb-chip'} aria-pressed={active} onClick={onClick}>
      {label}
    </button>
  );
}

function TagChip({ tag, active, label }: { tag: string; active: boolean; label: Parameters<typeof tagText>[1] }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const { customers } = useServices();
  return (
    <ChipButton active={active} label={tagText(t, label, language)} onClick={() => customers.getState().setTag(active ? null : tag)} />
  );
}

function CustomerRow({ customer: c, active }: { customer: CustomerSummary; active: boolean }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const timeZone = useStoreTimeZone();
  const { customers } = useServices();
  const overdue = c.nextTask !== null && isOverdue(c.nextTask.dueAt, new Date(), timeZone);
  return (
    <li>
      <button
        type="button"
        className={active ? 'cb-row is-active' : 'cb-row'}
        onClick={() => customers.getState().open(c.id)}
        data-testid="customer-row"
        data-customer-id={c.id}
      >
        <span className="cb-avatar" aria-hidden="true">
          {c.name.slice(0, 1)}
        </span>
        <span className="cb-row-main">
          <span className="cb-row-name">
            {c.name}
            <span className={`co-tier co-tier-${c.tier}`}>{t(`customers.tier.${c.tier}`)}</span>
            {c.takingOver && <span className="cb-badge cb-badge-takeover">{t('customers.takingOverShort')}</span>}
            {!c.contactable && <span className="cb-badge cb-badge-muted">{t('customers.list.noContact')}</span>}
          </span>
          <span className="cb-row-meta">
            <span className="mono" data-testid="customer-phone">
              {c.phone}
            </span>
            <span>
              {c.lastPurchaseAt
                ? t('customers.list.lastPurchase', { date: formatDate(c.lastPurchaseAt, timeZone, language) })
                : t('customers.list.neverBought')}
            </span>
            {c.guide === null && <span>{t('customers.list.pool')}</span>}
          </span>
          <span className="cb-row-tags">
            {c.tags.slice(0, 4).map((x) => (
              <span key={x.tag} className={`cb-tag cb-tag-${x.source}`}>
                {tagText(t, x, language)}
              </span>
            ))}
          </span>
        </span>
        <span className={overdue ? 'cb-next is-overdue' : 'cb-next'}>
          {c.nextTask ? (
            <>
              <strong>{language === 'en' ? c.nextTask.name.en : c.nextTask.name.zh}</strong>
              <span>{t('customers.list.due', { date: formatDate(c.nextTask.dueAt, timeZone, language) })}</span>
            </>
          ) : (
            <span className="cb-muted">{t('customers.list.noTask')}</span>
          )}
        </span>
      </button>
    </li>
  );
}
