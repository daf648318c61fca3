import { useApp, useServices, useT } from '../../app/services.js';
import { useDevicesWedge } from './devices-hooks.js';
import './kiosk.css';

/** Kiosk mode: the Electron window goes full screen and cannot be left (settings.kiosk). */
export function KioskCard() {
  const t = useT();
  const { devicesWedge } = useServices();
  const kiosk = useApp((s) => s.settings?.kiosk);
  const saving = useDevicesWedge((s) => s.kioskSaving);
  if (kiosk === undefined) return null;
  return (
    <section className="dv-card" aria-labelledby="dv-kiosk-title" data-testid="kiosk-card">
      <header className="dv-card-head">
        <h2 id="dv-kiosk-title">{t('devices.kiosk.title')}</h2>
      </header>
      <div className="dv-toggle-row">
        <p className="dv-note">{t('devices.kiosk.note')}</p>
        <button
          type="button"
          role="switch"
          aria-checked={kiosk}
          aria-label={t('devices.kiosk.title')}
          className={kiosk ? 'dv-toggle is-on' : 'dv-toggle'}
          disabled={saving}
          onClick={() => void devicesWedge.getState().setKiosk(!kiosk)}
          data-testid="kiosk-toggle"
        >
          <span className="dv-toggle-knob" aria-hidden="true" />
          <span className="dv-toggle-text">{kiosk ? t('devices.on') : t('devices.off')}</span>
        </button>
      </div>
    </section>
  );
}
