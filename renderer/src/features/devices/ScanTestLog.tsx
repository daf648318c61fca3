import { useEffect } from 'react';
import { useDevicesWedge } from './devices-hooks.js';
import { useApp, useServices, useT, useStoreTimeZone } from '../../app/services.js';
import type { ScanEvent } from '../../api/contract.js';
import { dynamicText } from '../../i18n/dynamic-text.js';
import { describeScanReason } from '../../i18n/describe-error.js';
import { formatStoreTime } from '../../ui/format/event-time.js';
import './scan-log.css';

/** "Scan something": every scan from any scanner while this screen is open, with what it was taken for. */
export function ScanTestLog() {
  const t = useT();
  const { api, devicesWedge } = useServices();
  const scans = useDevicesWedge((s) => s.scans);
  const language = useApp((s) => s.language);
  const timezone = useStoreTimeZone();

  // Subscribed only while shown: on this screen a scan is a test, not a lookup or a sale.
  useEffect(() => api.on('scanned', (scan) => devicesWedge.getState().recordScan(scan)), [api, devicesWedge]);

  return (
    <section className="dv-card dv-sticky" aria-labelledby="dv-scan-log" data-testid="scan-log">
      <header className="dv-card-head">
        <h2 id="dv-scan-log">{t('devices.scanLog.title')}</h2>
        {scans.length > 0 && (
          <button type="button" className="button-ghost" onClick={() => devicesWedge.getState().clearScans()}>
            {t('devices.scanLog.clear')}
          </button>
        )}
      </header>
      {scans.length === 0 ? (
        <p className="dv-scan-prompt">{t('devices.scanLog.prompt')}</p>
      ) : (
        <ol className="dv-scans" aria-live="polite">
          {scans.map((scan) => (
            <li
              key={scan.id}
              className={`dv-scan kind-${tone(scan)}`}
              data-testid="scan-entry"
              data-kind={scan.kind}
              data-source={scan.source}
            >
              <span className="dv-scan-raw mono">{scan.raw}</span>
              <span className="dv-scan-kind">
                {dynamicText(t, `devices.scanKind.${scan.kind}`, 'devices.scanKind.other')}
                {scan.code && scan.code !== scan.raw && <span className="code">{scan.code}</span>}
                {scan.reason && <span className="dv-scan-reason">{describeScanReason(t, scan.reason)}</span>}
              </span>
              <span className="dv-scan-meta">
                {dynamicText(t, `devices.scanSource.${scan.source}`, 'devices.scanSource.other')} ·{' '}
                {formatStoreTime(scan.at, timezone, language)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function tone(scan: ScanEvent): 'ok' | 'bad' | 'other' {
  if (scan.kind === 'malformed') return 'bad';
  return scan.kind === 'unknown' ? 'other' : 'ok';
}
