import { useEffect, useState } from 'react';
import { useServices, useT } from '../../app/services.js';
import { Modal } from '../../ui/Modal.js';
import { useCustomers } from './customers-hooks.js';

/** A manager gives the customer to one of the store's guides (the smaller books first in mind), or back to the pool. */
export function AssignDialog({
  customerId,
  currentGuideId,
  onClose,
}: {
  customerId: string;
  currentGuideId: string | null;
  onClose: () => void;
}) {
  const t = useT();
  const { customers } = useServices();
  const guides = useCustomers((s) => s.guides);
  const [to, setTo] = useState<string | null | undefined>(undefined);
  useEffect(() => void customers.getState().loadGuides(), [customers]);
  const submit = async () => {
    if (to !== undefined && (await customers.getState().assign(customerId, to))) onClose();
  };
  return (
    <Modal title={t('customers.assign.title')} onClose={onClose} testId="assign-dialog">
      <div className="cb-form">
        <ul className="cb-choices" role="radiogroup">
          {guides
            .filter((g) => g.id !== currentGuideId)
            .map((g) => (
              <li key={g.id}>
                <button
                  type="button"
                  role="radio"
                  aria-checked={to === g.id}
                  className={to === g.id ? 'cb-choice is-active' : 'cb-choice'}
                  onClick={() => setTo(g.id)}
                  data-testid="assign-guide"
                  data-guide-code={g.code}
                >
                  <strong>{g.name}</strong> <span className="mono">{g.code}</span>{' '}
                  <span className="cb-muted">{t('customers.assign.book', { count: g.book })}</span>
                </button>
              </li>
            ))}
          {currentGuideId !== null && (
            <li>
              <button
                type="button"
                role="radio"
                aria-checked={to === null}
                className={to === null ? 'cb-choice is-active' : 'cb-choice'}
                onClick={() => setTo(null)}
              >
                {t('customers.assign.pool')}
              </button>
            </li>
          )}
        </ul>
        <button
          type="button"
          className="button-primary"
          disabled={to === undefined}
          onClick={() => void submit()}
          data-testid="assign-submit"
        >
          {t('customers.assign.submit')}
        </button>
      </div>
    </Modal>
  );
}
