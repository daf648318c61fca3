import { Fragment } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { useT } from '../../app/services.js';
import type { CashReport } from './till-types.js';
import { formatStoreTime } from '../../ui/format/store-time.js';
import './report-view.css';

/** An X or Z report: the day's figures, and per tender expected vs counted with the variance. */
export function ReportView({ report, timezone }: { report: CashReport; timezone: string }) {
  const t = useT();
  const figure = (label: string, value: string, testId?: string) => (
    <div className="co-fact" data-testid={testId}>
      <dt>{label}</dt>
      <dd className="co-money">{value}</dd>
    </div>
  );
  const counted = report.tenders.filter((row) => row.varianceFen !== null);
  const variance = counted.reduce((sum, row) => sum + (row.varianceFen ?? 0), 0);
  return (
    <section className="co-card co-report" data-testid={`report-${report.kind}`}>
      <header className="co-card-head">
        <div>
          <h2>{t(`cashup.report.title.${report.kind}`)}</h2>
          <div className="co-muted">
            {t('cashup.report.day', { day: report.businessDay })} · {formatStoreTime(report.openedAt, timezone, true)}
            {report.closedAt && ` – ${formatStoreTime(report.closedAt, timezone, true)}`}
          </div>
        </div>
        <div className="co-report-badges">
          {report.blind && <span className="co-tag co-tag-warn">{t('cashup.report.blind')}</span>}
          {counted.length > 0 && (
            <span className={variance === 0 ? 'co-variance-total is-even' : 'co-variance-total is-off'} data-testid="report-variance-total">
              {variance === 0
                ? t('cashup.report.even')
                : variance < 0
                  ? t('cashup.report.short', { amount: formatFen(-variance) })
                  : t('cashup.report.over', { amount: formatFen(variance) })}
            </span>
          )}
        </div>
      </header>
      <dl className="co-facts">
        {figure(t('cashup.report.sales', { count: report.salesCount }), formatFen(report.salesFen), 'report-sales')}
        {figure(t('cashup.report.refunds', { count: report.returnsCount }), formatFen(report.refundsFen))}
        {figure(t('cashup.report.discounts'), formatFen(report.discountFen))}
        {figure(t('cashup.report.float'), formatFen(report.floatFen))}
        {figure(t('cashup.report.paidIn'), formatFen(report.paidInFen))}
        {figure(t('cashup.report.paidOut'), formatFen(report.paidOutFen))}
        {report.cashInstead.map((c) => (
          <Fragment key={c.method}>
            {figure(
              t('cashup.report.cashInstead', { method: t(`checkout.tender.method.${c.method}`), count: c.count }),
              formatFen(c.amountFen),
              `report-cash-instead-${c.method}`,
            )}
          </Fragment>
        ))}
      </dl>
      <table className="co-table" data-testid="report-tenders">
        <thead>
          <tr>
            <th>{t('cashup.report.tender')}</th>
            <th className="co-right">{t('cashup.report.expected')}</th>
            <th className="co-right">{t('cashup.report.counted')}</th>
            <th className="co-right">{t('cashup.report.variance')}</th>
          </tr>
        </thead>
        <tbody>
          {report.tenders.map((row) => {
            const v = row.varianceFen;
            const tone = v === null ? '' : v === 0 ? 'is-even' : v < 0 ? 'is-short' : 'is-over';
            return (
              <tr key={row.method} data-testid="report-tender" data-method={row.method}>
                <td>{t(`checkout.tender.method.${row.method}`)}</td>
                <td className="co-right co-money">{row.expectedFen === null ? t('cashup.report.hidden') : formatFen(row.expectedFen)}</td>
                <td className="co-right co-money">{row.countedFen === null ? '—' : formatFen(row.countedFen)}</td>
                <td className={`co-right co-money co-variance ${tone}`} data-testid="report-variance">
                  {v === null ? '—' : v > 0 ? `+${formatFen(v)}` : formatFen(v)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {report.movements.length > 0 && (
        <ul className="co-movements">
          {report.movements.map((m, i) => (
            <li key={i}>
              <span>{t(`cashup.movement.${m.kind}`)}</span>
              <span className="co-muted co-grow">
                {m.reason} · {m.staffName} · {formatStoreTime(m.at, timezone)}
              </span>
              <span className="co-money">{m.kind === 'no_sale' ? '' : formatFen(m.amountFen)}</span>
            </li>
          ))}
        </ul>
      )}
      {!report.printed.sent && report.kind === 'z' && <p className="co-hint">{t('cashup.report.notPrinted')}</p>}
    </section>
  );
}
