import { useEffect } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { useTill } from './till-hooks.js';
import { useServices, useT, useStoreTimeZone } from '../../app/services.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { CheckoutGate } from '../session/CheckoutGate.js';
import { CashMovements } from './CashMovements.js';
import { CloseDay } from './CloseDay.js';
import { OpenTill } from './OpenTill.js';
import { ReportView } from './ReportView.js';
import { tillMessageText, tillMessageTone } from './till-message-text.js';
import { formatStoreTime } from '../../ui/format/store-time.js';
import './cashup.css';

/** The Cash-up tab: open the day with a float, cash in and out, X report, Z report with the count. */
export function CashupScreen() {
  return (
    <CheckoutGate needs="cash">
      <Cashup />
    </CheckoutGate>
  );
}

function Cashup() {
  const t = useT();
  const { till } = useServices();
  const state = useTill((s) => s.till);
  const report = useTill((s) => s.report);
  const message = useTill((s) => s.message);
  const timezone = useStoreTimeZone() ?? 'Asia/Shanghai';

  useEffect(() => {
    void till.getState().load();
  }, [till]);

  return (
    <section className="co-cashup" aria-label={t('app.nav.cashup')}>
      <div className="co-cashup-main">
        {message && (
          <MessageBanner tone={tillMessageTone(message)} text={tillMessageText(t, message)} onDismiss={till.getState().dismissMessage} />
        )}
        {state?.state === 'closed' &&
          (report?.kind === 'z' ? (
            <ReportView report={report} timezone={timezone} />
          ) : (
            <OpenTill lastZ={state.lastZ?.businessDay ?? null} />
          ))}
        {state?.state === 'open' && (
          <>
            <div className="co-till-head" data-testid="till-open">
              <span className="co-tag co-tag-ok">{t('cashup.till.open')}</span>
              <span>{t('cashup.report.day', { day: state.businessDay })}</span>
              <span className="co-muted">
                {t('cashup.till.openedBy', { name: state.openedBy, time: formatStoreTime(state.openedAt, timezone) })} ·{' '}
                {t('cashup.report.float')} {formatFen(state.floatFen)}
              </span>
            </div>
            {report ? <ReportView report={report} timezone={timezone} /> : <CashMovements />}
          </>
        )}
      </div>
      {state?.state === 'open' && (
        <aside className="co-sell-side">
          <CloseDay />
        </aside>
      )}
      {/* Just closed: the Z report stays in view, the next day's opening beside it. */}
      {state?.state === 'closed' && report?.kind === 'z' && (
        <aside className="co-sell-side">
          <OpenTill lastZ={state.lastZ?.businessDay ?? null} />
        </aside>
      )}
    </section>
  );
}
