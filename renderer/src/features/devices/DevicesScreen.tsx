import { useEffect, useState } from 'react';
import { useDevices } from './devices-hooks.js';
import { useSession } from '../session/session-hooks.js';
import { useServices, useT } from '../../app/services.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { DevicesSummary } from './DevicesSummary.js';
import { DrawerPanel } from './DrawerPanel.js';
import { KioskCard } from './KioskCard.js';
import { noticeText, noticeTone } from './notice-text.js';
import { PrinterSettings } from './PrinterSettings.js';
import { PrinterStatusCard } from './PrinterStatusCard.js';
import { PrintQueue } from './PrintQueue.js';
import { ProfileSaveBar } from './ProfileSaveBar.js';
import { ScannerProfilesCard } from './ScannerProfilesCard.js';
import { ScanTestLog } from './ScanTestLog.js';
import { WedgeSettingsCard } from './WedgeSettingsCard.js';
import './devices.css';

/** A confirmation ("test page queued") goes away by itself; an error stays until dismissed. */
const INFO_MS = 6000;

const SECTIONS = ['printer', 'scanners', 'drawer', 'terminal'] as const;
type Section = (typeof SECTIONS)[number];

/** Device settings: choose and test each peripheral, watch their status and the print queue. */
export function DevicesScreen() {
  const t = useT();
  const { devices } = useServices();
  const notice = useDevices((s) => s.notice);
  const [section, setSection] = useState<Section>('printer');
  // Changing the setup (profile, kiosk, scanner thresholds) and opening the drawer need a manager in main; say so up front.
  const manages = useSession((s) => s.session?.state === 'active' && s.session.permissions.manage);

  // Fresh status and queue every time the screen opens (events keep them current meanwhile).
  useEffect(() => {
    void devices.getState().load();
  }, [devices]);

  useEffect(() => {
    if (!notice || noticeTone(notice) !== 'info') return;
    const timer = setTimeout(() => {
      if (devices.getState().notice === notice) devices.getState().dismissNotice();
    }, INFO_MS);
    return () => clearTimeout(timer);
  }, [notice, devices]);

  return (
    <section className="dv" aria-label={t('app.nav.devices')} data-testid="devices-screen">
      <DevicesSummary onOpen={setSection} />
      <nav className="dv-sections" aria-label={t('devices.sections')}>
        {SECTIONS.map((id) => (
          <button
            key={id}
            type="button"
            className={id === section ? 'segment dv-section is-active' : 'segment dv-section'}
            aria-current={id === section ? 'page' : undefined}
            onClick={() => setSection(id)}
            data-testid={`section-${id}`}
          >
            {t(`devices.section.${id}`)}
          </button>
        ))}
      </nav>
      {!manages && (
        <p className="dv-note dv-manager-hint" data-testid="devices-manager-hint">
          {t('devices.managerOnly')}
        </p>
      )}
      {notice && noticeTone(notice) === 'error' && (
        <MessageBanner tone="error" text={noticeText(t, notice)} onDismiss={devices.getState().dismissNotice} />
      )}

      {section === 'printer' && (
        <div className="dv-columns">
          <div className="dv-stack">
            <PrinterStatusCard />
            <PrinterSettings />
          </div>
          <PrintQueue />
        </div>
      )}
      {section === 'scanners' && (
        <div className="dv-columns">
          <div className="dv-stack">
            <WedgeSettingsCard />
            <ScannerProfilesCard />
          </div>
          <ScanTestLog />
        </div>
      )}
      {section === 'drawer' && <DrawerPanel />}
      {section === 'terminal' && <KioskCard />}
      <ProfileSaveBar />
      {/* A confirmation is a toast: nothing on the screen moves under the finger when it comes and goes. */}
      {notice && noticeTone(notice) === 'info' && (
        <div className="dv-toast" role="status" data-testid="message" data-tone="info">
          ✓ {noticeText(t, notice)}
        </div>
      )}
    </section>
  );
}
