import { pickName } from '../i18n/pick-name.js';
import { useApp, useT } from './services.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { SyncPill } from '../features/sync/SyncPill.js';
import type { SystemStatus } from '../api/contract.js';
import './top-bar.css';

type Props = { status: Extract<SystemStatus, { state: 'ready' }> };

export function TopBar({ status }: Props) {
  const t = useT();
  const language = useApp((s) => s.language);
  return (
    <header className="topbar">
      <div className="topbar-store">
        <span className="brand-mark" aria-hidden="true">
          S
        </span>
        <div>
          <div className="store-name" data-testid="store-name">
            {pickName(status.store.name, language)}
          </div>
          <div className="store-meta">
            <span className="mono">{status.store.code}</span>
            <span>{t('app.device', { id: status.deviceId })}</span>
          </div>
        </div>
      </div>
      <div className="topbar-actions">
        <SyncPill />
        <LanguageSwitch />
      </div>
    </header>
  );
}
