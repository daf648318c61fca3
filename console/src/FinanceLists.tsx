import { useEffect, useMemo, useState } from 'react';
import type { RefundException, Resolution, SettlementConflict, StoreSummary } from '../../sync/protocol/finance.js';
import { HqRefusal, listConflicts, listRefunds, listStores } from './api.js';
import type { ListKind } from './api.js';
import { describeFailure, formatWhen, yuan, zoneLabel } from './format.js';
import type { Language, Translate } from './i18n/translate.js';
import { ResolveCell } from './ResolveCell.js';
import type { Session } from './session.js';

/** One row of either list, as the table shows it. */
export type Item = Resolution & {
  id: string;
  createdAt: string;
  storeId: string;
  receiptNo: string;
  detail: string[];
  /** The amount columns of its list, in fen: at risk; or refunded and unfunded. */
  amounts: number[];
  /** A refund's business day (its list's filter); null for a conflict. */
  businessDay: string | null;
  /** Its place in its list as HQ orders it, greatest first. */
  order: string;
};

type Loaded = { key: string; items: Item[]; truncated: boolean; error: string | null };

function fromConflict(c: SettlementConflict, t: Translate): Item {
  const detail = [c.detail];
  const spent = [
    ...(c.coupons.length > 0 ? [t('row.coupons', { coupons: c.coupons.join(', ') })] : []),
    ...(c.points > 0 ? [t('row.points', { points: c.points })] : []),
    ...(c.offline ? [t('row.offline')] : []),
  ];
  if (spent.length > 0) detail.push(spent.join(' · '));
  return { ...c, detail, amounts: [c.atRiskFen], businessDay: null, order: c.createdAt };
}

function fromRefund(r: RefundException, t: Translate): Item {
  const how = r.insteadOf ? t('row.insteadOf', { method: r.method, insteadOf: r.insteadOf }) : t('row.method', { method: r.method });
  const detail = [r.detail, [how, ...(r.originalReceiptNo ? [t('row.original', { receiptNo: r.originalReceiptNo })] : [])].join(' · ')];
  return { ...r, detail, amounts: [r.amountFen, r.unfundedFen], order: `${r.businessDay}|${r.id.padStart(20, '0')}` };
}

/** The loaded rows with the rows kept in view (`kept`) that the list no longer has, in the list's order. */
function withKept(items: Item[], kept: Item[]): Item[] {
  const missing = kept.filter((k) => !items.some((i) => i.id === k.id));
  if (missing.length === 0) return items;
  return [...items, ...missing].sort((a, b) => (a.order < b.order ? 1 : a.order > b.order ? -1 : 0));
}

export function FinanceLists({
  t,
  language,
  session,
  onSessionEnded,
}: {
  t: Translate;
  language: Language;
  session: Session;
  onSessionEnded: () => void;
}) {
  const [kind, setKind] = useState<ListKind>('conflicts');
  const [storeId, setStoreId] = useState('');
  const [openOnly, setOpenOnly] = useState(true);
  const [reloads, setReloads] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [stores, setStores] = useState<StoreSummary[] | null>(null);
  const [storesError, setStoresError] = useState<string | null>(null);
  // A row someone else resolved first stays in view, resolved, until the filters change.
  const [kept, setKept] = useState<{ filter: string; items: Item[]; notice: string } | null>(null);
  const filter = `${kind}|${storeId}|${openOnly}`;
  const key = `${filter}|${reloads}`;

  useEffect(() => {
    let current = true;
    listStores(session.token).then(
      (answer) => current && setStores(answer.stores),
      (failure: unknown) => {
        if (!current) return;
        if (failure instanceof HqRefusal && failure.status === 401) onSessionEnded();
        setStoresError(describeFailure(failure, t));
        setStores([]);
      },
    );
    return () => {
      current = false;
    };
  }, [session.token, t, onSessionEnded]);
  const storeById = useMemo(() => new Map((stores ?? []).map((s) => [s.id, s])), [stores]);

  useEffect(() => {
    let current = true;
    const query = { storeId: storeId || null, openOnly };
    const answer =
      kind === 'conflicts'
        ? listConflicts(session.token, query).then((a) => ({ items: a.conflicts.map((c) => fromConflict(c, t)), truncated: false }))
        : listRefunds(session.token, query).then((a) => ({ items: a.refunds.map((r) => fromRefund(r, t)), truncated: a.truncated }));
    answer.then(
      ({ items, truncated }) => {
        if (!current) return;
        setLoaded({ key, items, truncated, error: null });
      },
      (failure: unknown) => {
        if (!current) return;
        if (failure instanceof HqRefusal && failure.status === 401) onSessionEnded();
        else setLoaded({ key, items: [], truncated: false, error: describeFailure(failure, t) });
      },
    );
    return () => {
      current = false;
    };
  }, [key, kind, storeId, openOnly, session.token, t, onSessionEnded]);

  const loading = loaded?.key !== key || stores === null;
  const shownKept = kept?.filter === filter ? kept : null;
  const items = withKept(loaded?.items ?? [], shownKept?.items ?? []);
  const amountHeads = kind === 'conflicts' ? [t('col.atRisk')] : [t('col.amount'), t('col.unfunded')];
  const resolved = (id: string, resolution: Resolution) =>
    setLoaded((l) => l && { ...l, items: l.items.map((i) => (i.id === id ? { ...i, ...resolution } : i)) });
  // HQ refused a resolve: someone resolved the row first. Read the list again, and the row as HQ has
  // it now (an open-only list no longer has it) so it shows who resolved it, when and how.
  const resolvedElsewhere = (item: Item) => {
    const notice = t('lists.resolvedElsewhere', { receiptNo: item.receiptNo });
    const query = { storeId: item.storeId, openOnly: false };
    const record =
      kind === 'conflicts'
        ? listConflicts(session.token, query).then((a) => a.conflicts.filter((c) => c.id === item.id).map((c) => fromConflict(c, t)))
        : listRefunds(session.token, { ...query, day: item.businessDay ?? undefined }).then((a) =>
            a.refunds.filter((r) => r.id === item.id).map((r) => fromRefund(r, t)),
          );
    record.then(
      (found) => {
        setKept((k) => ({ filter, notice, items: [...(k?.filter === filter ? k.items.filter((i) => i.id !== item.id) : []), ...found] }));
        setReloads((n) => n + 1);
      },
      () => setReloads((n) => n + 1),
    );
  };
  const storeOf = (id: string) => storeById.get(id);
  const storeName = (s: StoreSummary) => (language === 'zh-CN' ? s.name.zh : s.name.en);
  return (
    <section className="lists">
      <nav className="tabs" role="tablist">
        {(['conflicts', 'refunds'] as const).map((k) => (
          <button key={k} type="button" role="tab" aria-selected={kind === k} className="tab" onClick={() => setKind(k)}>
            {t(k === 'conflicts' ? 'lists.conflicts' : 'lists.refunds')}
          </button>
        ))}
      </nav>
      <p className="muted hint">{t(kind === 'conflicts' ? 'lists.conflictsHint' : 'lists.refundsHint')}</p>
      <div className="filters">
        <label>
          <span>{t('lists.store')}</span>
          <select name="store" value={storeId} onChange={(e) => setStoreId(e.target.value)}>
            <option value="">{t('lists.allStores')}</option>
            {(stores ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {t('lists.storeOption', { name: storeName(s), code: s.code })}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" name="open" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} />
          <span>{t('lists.openOnly')}</span>
        </label>
        <button type="button" onClick={() => setReloads((n) => n + 1)} disabled={loading}>
          {t('lists.refresh')}
        </button>
        <span className="spacer" />
        <span className="muted" aria-live="polite">
          {loading ? t('lists.loading') : t('lists.count', { count: items.length })}
        </span>
      </div>
      {(loaded?.error ?? storesError) && (
        <p className="error" role="alert">
          {loaded?.error ?? storesError}
        </p>
      )}
      {shownKept && (
        <p className="notice" role="status">
          {shownKept.notice}
        </p>
      )}
      {loaded?.truncated && <p className="notice">{t('lists.truncated', { count: items.length })}</p>}
      <table className="items" aria-busy={loading}>
        <thead>
          <tr>
            <th className="when">{t('col.when')}</th>
            <th>{t('col.store')}</th>
            <th>{t('col.receiptNo')}</th>
            <th className="detail">{t('col.detail')}</th>
            {amountHeads.map((head) => (
              <th key={head} className="num">
                {head}
              </th>
            ))}
            <th className="status">{t('col.status')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const store = storeOf(item.storeId);
            // A store HQ no longer lists (or a list that failed): UTC, said so, rather than this browser's clock.
            const zone = store?.timezone ?? 'UTC';
            return (
              <tr key={item.id} data-id={item.id} className={item.resolvedAt ? 'resolved' : undefined}>
                <td className="when">
                  <div>{formatWhen(item.createdAt, language, zone)}</div>
                  <div className="sub">
                    {store ? t('row.storeTime', { offset: zoneLabel(item.createdAt, zone) }) : zoneLabel(item.createdAt, zone)}
                  </div>
                </td>
                <td className="nowrap">
                  {store ? (
                    <>
                      <div>{storeName(store)}</div>
                      <div className="sub mono">{store.code}</div>
                    </>
                  ) : (
                    item.storeId
                  )}
                </td>
                <td className="mono nowrap">{item.receiptNo}</td>
                <td className="detail">
                  {item.detail.map((line, n) => (
                    <div key={n} className={n === 0 ? undefined : 'sub'}>
                      {line}
                    </div>
                  ))}
                </td>
                {item.amounts.map((fen, n) => (
                  <td key={n} className="num">
                    {yuan(fen)}
                  </td>
                ))}
                <td className="status">
                  <ResolveCell
                    t={t}
                    language={language}
                    kind={kind}
                    item={item}
                    token={session.token}
                    timeZone={zone}
                    onResolved={resolved}
                    onResolvedElsewhere={resolvedElsewhere}
                  />
                </td>
              </tr>
            );
          })}
          {!loading && items.length === 0 && !loaded?.error && (
            <tr>
              <td colSpan={5 + amountHeads.length} className="empty">
                {openOnly ? t('lists.empty') : t('lists.emptyAll')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
