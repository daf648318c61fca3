import { useState } from 'react';
import { useServices, useT } from '../../app/services.js';
import { parseYuanToFen, typeAmountKey } from '../../ui/amount-entry.js';
import { formatFen } from '../../ui/format/money.js';
import { Keypad } from '../../ui/Keypad.js';
import { useTill } from './till-hooks.js';

/** The day starts here: the float counted into the drawer on the keypad. */
export function OpenTill({ lastZ }: { lastZ: string | null }) {
  const t = useT();
  const { till } = useServices();
  const busy = useTill((s) => s.busy);
  const [amount, setAmount] = useState('');
  const fen = parseYuanToFen(amount);
  return (
    <section className="co-card co-open-till" data-testid="till-closed">
      <h2>{t('cashup.till.openTitle')}</h2>
      <p className="co-muted">{lastZ ? t('cashup.till.lastZ', { day: lastZ }) : t('cashup.till.firstDay')}</p>
      <div className="co-amount-display">
        <span className="co-field-label">{t('cashup.till.float')}</span>
        <span className="co-amount co-money" data-testid="float-amount">
          {fen === undefined ? '—' : formatFen(fen)}
        </span>
      </div>
      <Keypad decimal onKey={(key) => setAmount((a) => typeAmountKey(a, key))} testId="float-keypad" />
      <button
        type="button"
        className="button-primary"
        data-testid="till-open-submit"
        disabled={busy || fen === undefined}
        onClick={() => fen !== undefined && void till.getState().open(fen)}
      >
        {t('cashup.till.openSubmit')}
      </button>
    </section>
  );
}
