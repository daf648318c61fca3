import { useT } from '../../app/services.js';
import { useCustomers } from './customers-hooks.js';
import { refusalText } from './customers-text.js';

/** This staff member's requests HQ has not answered yet, and the ones it refused lately (with why). */
export function PendingRequests() {
  const t = useT();
  const requests = useCustomers((s) => s.requests);
  const shown = requests.filter((r) => r.status !== 'done').slice(0, 5);
  if (shown.length === 0) return null;
  return (
    <section className="cb-pending" aria-label={t('customers.pending.title')} data-testid="customer-requests">
      <h2>{t('customers.pending.title')}</h2>
      <ul>
        {shown.map((r) => (
          <li key={r.id} data-testid="customer-request" data-status={r.status} data-kind={r.kind}>
            <span className={`cb-badge cb-badge-${r.status}`}>{t(`customers.request.${r.status}`)}</span>
            <span>{t(`customers.request.${r.kind}`)}</span>
            <strong>{r.customerName ?? ''}</strong>
            {r.status === 'refused' && <span className="cb-muted">{refusalText(t, r)}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
