import { useState } from 'react';
import { useServices, useT } from '../../app/services.js';
import { Modal } from '../../ui/Modal.js';
import { ContactFields } from './ContactFields.js';
import type { ContactValue } from './ContactFields.js';

/** Logs a contact with the open customer (main keeps to the store's do-not-disturb rule and the customer's opt-out). */
export function ContactDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const { customers } = useServices();
  const [value, setValue] = useState<ContactValue>({ channel: 'wechat', outcome: 'reached', note: '' });
  const submit = async () => {
    if (await customers.getState().logContact(value.channel, value.outcome, value.note.trim())) onClose();
  };
  return (
    <Modal title={t('customers.profile.logContact')} onClose={onClose} testId="contact-dialog">
      <div className="cb-form">
        <ContactFields value={value} onChange={setValue} />
        <button type="button" className="button-primary" onClick={() => void submit()} data-testid="contact-submit">
          {t('customers.profile.logContact')}
        </button>
      </div>
    </Modal>
  );
}
