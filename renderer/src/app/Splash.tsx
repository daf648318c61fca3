import { useEffect, useState } from 'react';
import { describeError } from '../i18n/describe-error.js';
import { useApp, useT } from './services.js';
import './splash.css';

/** After this long without a status, say what usually causes it (a browser tab opened without the token). */
const SLOW_MS = 8_000;

/** Before the first status arrives: nothing else can be shown yet (the store may be in error). */
export function Splash() {
  const t = useT();
  const connection = useApp((s) => s.connection);
  const statusError = useApp((s) => s.statusError);
  const [slow, setSlow] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), SLOW_MS);
    return () => clearTimeout(timer);
  }, []);

  return (
    <main className="splash" data-testid="splash" data-state={connection}>
      <span className="spinner spinner-large" aria-hidden="true" />
      <p>{connection === 'disconnected' ? t('app.disconnected') : t('app.connecting')}</p>
      {statusError && <p className="splash-error">{t('app.statusFailed', { reason: describeError(t, statusError) })}</p>}
      {slow && !statusError && <p className="splash-hint">{t('app.stillWaiting')}</p>}
    </main>
  );
}
