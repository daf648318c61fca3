import type { ReactNode } from 'react';
import { useT } from '../app/services.js';
import './modal.css';

type Props = { title: string; onClose?: () => void; children: ReactNode; testId: string; wide?: boolean };

/** A dialog over the screen; the till underneath stays as it was. */
export function Modal({ title, onClose, children, testId, wide = false }: Props) {
  const t = useT();
  return (
    <div className="co-backdrop" role="presentation">
      <section
        className={wide ? 'co-modal co-modal-wide' : 'co-modal'}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
      >
        <header className="co-modal-head">
          <h2>{title}</h2>
          {onClose && (
            <button
              type="button"
              className="co-modal-close"
              onClick={onClose}
              aria-label={t('ui.modal.close')}
              data-testid={`${testId}-close`}
            >
              ×
            </button>
          )}
        </header>
        <div className="co-modal-body">{children}</div>
      </section>
    </div>
  );
}
