import { useApp, useT, useStoreTimeZone } from '../../app/services.js';
import { syncDetail, syncSettled, syncText } from './sync-text.js';
import './sync-pill.css';

export function SyncPill() {
  const t = useT();
  const sync = useApp((s) => s.sync);
  const language = useApp((s) => s.language);
  const timeZone = useStoreTimeZone();
  if (!sync) return null;
  const detail = syncDetail(t, sync, timeZone, language);
  return (
    <span
      className={`pill ${syncSettled(sync) ? 'pill-ok' : sync.hq === 'revoked' || sync.deadLetters > 0 ? 'pill-bad' : 'pill-waiting'}`}
      data-testid="sync-pill"
      data-hq={sync.hq}
      data-pending={sync.pendingEvents}
      data-dead-letters={sync.deadLetters}
      role="status"
    >
      <span className="pill-dot" aria-hidden="true" />
      <span className="pill-lines">
        <span data-testid="sync-pill-text">{syncText(t, sync)}</span>
        {detail && (
          <span className="pill-detail" data-testid="sync-pill-detail">
            {detail}
          </span>
        )}
      </span>
    </span>
  );
}
