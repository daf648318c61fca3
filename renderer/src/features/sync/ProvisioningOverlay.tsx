import { useApp, useT } from '../../app/services.js';
import './provisioning.css';

/**
 * A fresh device's first download from HQ. It covers the whole app: a till that is half
 * provisioned would sell without prices or members.
 */
export function ProvisioningOverlay() {
  const t = useT();
  const language = useApp((s) => s.language);
  const provisioning = useApp((s) => s.sync?.provisioning);
  if (provisioning?.phase !== 'running') return null;
  const { applied, total } = provisioning;
  const percent = total > 0 ? Math.min(100, Math.floor((applied / total) * 100)) : 0;
  const number = (n: number) => n.toLocaleString(language);
  return (
    <div
      className="sync-overlay"
      data-testid="provisioning-overlay"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="provisioning-title"
    >
      <div className="sync-panel">
        <div className="spinner spinner-large" aria-hidden="true" />
        <h1 id="provisioning-title">{t('sync.provisioning.title')}</h1>
        <div
          className="sync-progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          data-testid="provisioning-progress"
          data-applied={applied}
          data-total={total}
        >
          <div className="sync-progress-bar" style={{ width: `${percent}%` }} />
        </div>
        <p className="sync-progress-count mono" data-testid="provisioning-count">
          {total > 0 ? t('sync.provisioning.count', { applied: number(applied), total: number(total) }) : t('sync.provisioning.starting')}
        </p>
        <p className="sync-hint">{t('sync.provisioning.hint')}</p>
      </div>
    </div>
  );
}
