import { useApp, useT } from '../state/services.js';
import { syncText } from './sync-text.js';

export function SyncPill() {
  const t = useT();
  const sync = useApp((s) => s.sync);
  if (!sync) return null;
  const settled = sync.hq === 'online' && sync.pendingEvents === 0;
  return (
    <span
      className={`pill ${settled ? 'pill-ok' : 'pill-waiting'}`}
      data-testid="sync-pill"
      data-hq={sync.hq}
      data-pending={sync.pendingEvents}
      role="status"
    >
      <span className="pill-dot" aria-hidden="true" />
      {syncText(t, sync)}
    </span>
  );
}
