import { useApp, useT } from '../../app/services.js';
import { formatFen } from '../../ui/format/money.js';
import { useCustomers } from './customers-hooks.js';
import type { MonthResult } from './customers-types.js';

/** My results: sales and service credit, new members and tasks done, this month beside the last. */
export function ResultsPanel() {
  const t = useT();
  const results = useCustomers((s) => s.results);
  if (!results) return <section className="cb-results" aria-busy="true" />;
  return (
    <section className="cb-results" data-testid="results-panel">
      <h2>{t('customers.results.title')}</h2>
      <div className="cb-months">
        <Month title={t('customers.results.month', { month: results.current.month })} r={results.current} previous={results.previous} />
        <Month title={t('customers.results.previous', { month: results.previous.month })} r={results.previous} />
      </div>
      <p className="cb-muted">{t('customers.results.hint')}</p>
    </section>
  );
}

function Month({ title, r, previous }: { title: string; r: MonthResult; previous?: MonthResult }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const trend = (now: number, before: number | undefined) => (before === undefined || now === before ? '' : now > before ? ' ▲' : ' ▼');
  return (
    <div className="cb-month" data-testid="results-month" data-month={r.month}>
      <h3>{title}</h3>
      <dl className="cb-facts">
        <div className="cb-fact">
          <dt>{t('customers.results.sales')}</dt>
          <dd data-testid="results-sales">
            {formatFen(r.salesFen)}
            {trend(r.salesFen, previous?.salesFen)}
          </dd>
          <dd className="cb-muted">{t('customers.results.count', { count: r.salesCount })}</dd>
        </div>
        <div className="cb-fact">
          <dt>{t('customers.results.service')}</dt>
          <dd data-testid="results-service">
            {formatFen(r.serviceFen)}
            {trend(r.serviceFen, previous?.serviceFen)}
          </dd>
          <dd className="cb-muted">{t('customers.results.count', { count: r.serviceCount })}</dd>
        </div>
        <div className="cb-fact">
          <dt>{t('customers.results.newMembers')}</dt>
          <dd>
            {r.newMembers.toLocaleString(language)}
            {trend(r.newMembers, previous?.newMembers)}
          </dd>
        </div>
        <div className="cb-fact">
          <dt>{t('customers.results.tasksDone')}</dt>
          <dd>
            {r.tasksDone.toLocaleString(language)}
            {trend(r.tasksDone, previous?.tasksDone)}
          </dd>
        </div>
      </dl>
    </div>
  );
}
