import { useState } from 'react';
import type { FormEvent } from 'react';
import { useServices, useT } from '../../app/services.js';
import { Modal } from '../../ui/Modal.js';
import { CustomersMessageBar } from './CustomersMessageBar.js';
import type { RevealPurpose } from './customers-types.js';

const PURPOSES: readonly RevealPurpose[] = ['call', 'sms', 'verify'];

/** The whole number only with a reason: main records who, why and when, and HQ keeps it. */
export function RevealDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const { customers } = useServices();
  const [reason, setReason] = useState('');
  const [purpose, setPurpose] = useState<RevealPurpose>('call');
  const [refused, setRefused] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim().length < 2) return;
    const shown = await customers.getState().reveal(reason.trim(), purpose);
    // A refusal (REVEAL_LIMIT: when to try again) is shown here, over the screen's message bar the dialog covers.
    setRefused(!shown);
    if (shown) onClose();
  };
  return (
    <Modal title={t('customers.reveal.title')} onClose={onClose} testId="reveal-dialog">
      <form className="cb-form" onSubmit={(e) => void submit(e)}>
        <p className="cb-muted">{t('customers.reveal.hint')}</p>
        <div className="cb-segments" role="radiogroup" aria-label={t('customers.reveal.purpose')}>
          {PURPOSES.map((p) => (
            <button
              key={p}
              type="button"
              role="radio"
              aria-checked={p === purpose}
              className={p === purpose ? 'segment is-active' : 'segment'}
              onClick={() => setPurpose(p)}
            >
              {t(`customers.reveal.purpose.${p}`)}
            </button>
          ))}
        </div>
        <label className="cb-label">
          {t('customers.reveal.reason')}
          <input
            className="co-input"
            value={reason}
            maxLength={200}
            onChange={(e) => setReason(e.target.value)}
            placeholder={t('customers.reveal.reasonPlaceholder')}
            data-testid="reveal-reason"
          />
        </label>
        <button type="submit" className="button-primary" disabled={reason.trim().length < 2} data-testid="reveal-submit">
          {t('customers.reveal.submit')}
        </button>
        {refused && <CustomersMessageBar />}
      </form>
    </Modal>
  );
}
