import type { DeadLetterView } from '../../api/contract.js';
import { useApp, useT } from '../../app/services.js';
import { formatStoreTime } from '../../ui/format/event-time.js';
import './sync-screen.css';

type Props = { items: DeadLetterView[]; timeZone: string | undefined };

/** Events HQ rejected: what, why, when, and whether HQ has been told. */
export function DeadLetterList({ items, timeZone }: Props) {
  const t = useT();
  const language = useApp((s) => s.language);
  if (items.length === 0) {
    return (
      <p className="sync-empty" data-testid="dead-letters-empty">
        {t('sync.screen.noDeadLetters')}
      </p>
    );
  }
  return (
    <table className="sync-table" data-testid="dead-letters">
      <thead>
        <tr>
          <th>{t('sync.dl.type')}</th>
          <th>{t('sync.dl.reason')}</th>
          <th>{t('sync.dl.occurredAt')}</th>
          <th>{t('sync.dl.rejectedAt')}</th>
          <th>{t('sync.dl.reported')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((d) => (
          <tr key={d.id} data-testid="dead-letter" data-id={d.id}>
            <td className="mono">{d.type}</td>
            <td>
              <span className="mono">{d.reason}</span>
              <div className="sync-muted">{d.message}</div>
            </td>
            <td>{formatStoreTime(d.occurredAt, timeZone, language)}</td>
            <td>{formatStoreTime(d.rejectedAt, timeZone, language)}</td>
            <td className={d.reported ? 'sync-ok' : 'sync-warn'}>{d.reported ? t('sync.dl.reported') : t('sync.dl.notReported')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
