import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useServices, useT } from '../../app/services.js';
import { Modal } from '../../ui/Modal.js';

/** Binding an existing customer: scan or type their member code, or let them scan the guide's QR. */
export function BindDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const { api, customers } = useServices();
  const [code, setCode] = useState('');
  const [qr, setQr] = useState<string | undefined>();
  useEffect(() => {
    let current = true;
    void customers
      .getState()
      .guideQr()
      .then((q) => current && setQr(q ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(q.svg)}` : undefined));
    return () => {
      current = false;
    };
  }, [customers]);
  // A member code scanned anywhere while the dialog is open fills it in.
  useEffect(
    () =>
      api.on('scanned', (scan) => {
        const text = scan.text ?? scan.raw;
        if (/^M\d{1,12}$/i.test(text)) setCode(text.toUpperCase());
      }),
    [api],
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (code.trim() && (await customers.getState().bind(code.trim().toUpperCase()))) onClose();
  };
  return (
    <Modal title={t('customers.bind.title')} onClose={onClose} testId="customer-bind-dialog">
      <form className="cb-form" onSubmit={(e) => void submit(e)}>
        <label className="cb-label">
          {t('customers.bind.code')}
          <input
            className="co-input mono"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            data-testid="bind-code"
            autoComplete="off"
          />
        </label>
        <button type="submit" className="button-primary" disabled={!code.trim()} data-testid="bind-submit">
          {t('customers.bind.submit')}
        </button>
        <p className="cb-muted">{t('customers.bind.qrHint')}</p>
        {qr && <img className="cb-qr" src={qr} alt="" data-testid="guide-qr" />}
      </form>
    </Modal>
  );
}
