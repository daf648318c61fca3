import { useT } from '../../app/services.js';
import type { ContactChannel, ContactOutcome } from './customers-types.js';
import { CONTACT_CHANNELS, CONTACT_OUTCOMES } from './customers-types.js';

export type ContactValue = { channel: ContactChannel; outcome: ContactOutcome; note: string };

/** How the customer was contacted and what came of it: the same fields for a task and a plain contact. */
export function ContactFields({ value, onChange }: { value: ContactValue; onChange: (value: ContactValue) => void }) {
  const t = useT();
  return (
    <>
      <div className="cb-label">{t('customers.tasks.channel')}</div>
      <div className="cb-segments" role="radiogroup" aria-label={t('customers.tasks.channel')}>
        {CONTACT_CHANNELS.map((c) => (
          <button
            key={c}
            type="button"
            role="radio"
            aria-checked={c === value.channel}
            className={c === value.channel ? 'segment is-active' : 'segment'}
            onClick={() => onChange({ ...value, channel: c })}
            data-testid={`contact-channel-${c}`}
          >
            {t(`customers.contact.${c}`)}
          </button>
        ))}
      </div>
      <div className="cb-label">{t('customers.tasks.outcome')}</div>
      <div className="cb-segments" role="radiogroup" aria-label={t('customers.tasks.outcome')}>
        {CONTACT_OUTCOMES.map((o) => (
          <button
            key={o}
            type="button"
            role="radio"
            aria-checked={o === value.outcome}
            className={o === value.outcome ? 'segment is-active' : 'segment'}
            onClick={() => onChange({ ...value, outcome: o })}
            data-testid={`contact-outcome-${o}`}
          >
            {t(`customers.outcome.${o}`)}
          </button>
        ))}
      </div>
      <label className="cb-label">
        {t('customers.tasks.note')}
        <input
          className="co-input"
          value={value.note}
          maxLength={500}
          onChange={(e) => onChange({ ...value, note: e.target.value })}
          data-testid="contact-note"
        />
      </label>
    </>
  );
}
