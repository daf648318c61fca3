import { useApp, useT } from '../../app/services.js';
import { LanguageSwitch } from '../../app/LanguageSwitch.js';
import '../../ui/notice-screen.css';
import './revoked.css';

/** HQ revoked this device: the whole screen says so, and nothing behind it can be used for sales. */
export function RevokedScreen() {
  const t = useT();
  const pending = useApp((s) => s.sync?.pendingEvents ?? 0);
  return (
    <main className="store-error" data-testid="revoked-screen" role="alert">
      <div className="store-error-panel">
        <div className="sync-revoked-lang">
          <LanguageSwitch />
        </div>
        <div className="store-error-icon sync-revoked-icon" aria-hidden="true">
          ×
        </div>
        <h1>{t('sync.revokedScreen.title')}</h1>
        <p className="store-error-reason">{t('sync.revokedScreen.body')}</p>
        <ol className="store-error-steps">
          <li>{t('sync.revokedScreen.callIt')}</li>
          {pending > 0 && <li data-testid="revoked-pending">{t('sync.revokedScreen.pending', { count: pending })}</li>}
        </ol>
      </div>
    </main>
  );
}
