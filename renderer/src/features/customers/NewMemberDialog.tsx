import { useState } from 'react';
import type { FormEvent } from 'react';
import { useServices, useT } from '../../app/services.js';
import { Modal } from '../../ui/Modal.js';
import { CustomersMessageBar } from './CustomersMessageBar.js';
import './customer-profile.css';

/**
 * 建档: name, mobile number and consent; the new member is bound to whoever makes them once HQ
 * confirms. Opened from the customer book or from the till's member strip (`phone`: the number the
 * cashier searched for); a refusal shows in the dialog, `onSent` hears of a request sent.
 */
export function NewMemberDialog({ onClose, onSent, phone: searched = '' }: { onClose: () => void; onSent?: () => void; phone?: string }) {
  const t = useT();
  const { customers } = useServices();
  const [name, setName] = useState('');
  const [phone, setPhone] = useState(searched);
  const [consent, setConsent] = useState(true);
  const [refused, setRefused] = useState(false);
  const valid = name.trim() !== '' && /^1\d{10}$/.test(phone);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    const sent = await customers.getState().newMember(name.trim(), phone, consent);
    setRefused(!sent);
    if (!sent) return;
    onSent?.();
    onClose();
  };
  return (
    <Modal title={t('customers.newMember.title')} onClose={onClose} testId="customer-new-dialog">
      <form className="cb-form" onSubmit={(e) => void submit(e)}>
        <label className="cb-label">
          {t('customers.newMember.name')}
          <input
            className="co-input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="new-member-name"
            autoComplete="off"
          />
        </label>
        <label className="cb-label">
          {t('customers.newMember.phone')}
          <input
            className="co-input mono"
            inputMode="numeric"
            value={phone}
            onChange={(e) => setPhone(e.target.value.replace(/\D/g, '').slice(0, 11))}
            data-testid="new-member-phone"
            autoComplete="off"
          />
        </label>
        <label className="cb-check">
          <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} data-testid="new-member-consent" />
          {t('customers.newMember.consent')}
        </label>
        <button type="submit" className="button-primary" disabled={!valid} data-testid="new-member-submit">
          {t('customers.newMember.submit')}
        </button>
        {refused && <CustomersMessageBar />}
      </form>
    </Modal>
  );
}
