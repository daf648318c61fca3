import { useApp, useT } from './services.js';
import './connection-banner.css';

/** Shown over a working screen when main went away; the data on screen may be stale meanwhile. */
export function ConnectionBanner() {
  const t = useT();
  const connection = useApp((s) => s.connection);
  if (connection !== 'disconnected') return null;
  return (
    <div className="connection-banner" data-testid="connection" data-state={connection} role="status">
      <span className="spinner" aria-hidden="true" />
      {t('app.disconnected')}
    </div>
  );
}
