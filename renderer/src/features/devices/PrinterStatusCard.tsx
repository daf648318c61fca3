import { useDevices } from './devices-hooks.js';
import { useServices, useT } from '../../app/services.js';
import { printerState, printerTone } from './printer-state.js';
import type { PrinterState } from './printer-state.js';
import type { PrinterConnection } from './devices-types.js';
import './printer-status.css';

function address(connection: PrinterConnection): string {
  switch (connection.kind) {
    case 'tcp':
      return `${connection.host}:${connection.port}`;
    case 'serial':
      return connection.line.path;
    case 'usb':
      return connection.path;
  }
}

const ICON: Record<PrinterState, string> = {
  ready: '✓',
  ready_no_status: '✓',
  paper_near_end: '!',
  paper_end: '!',
  cover_open: '!',
  offline: '×',
  unreachable: '×',
  not_configured: '–',
};

/** The printer's live state, big enough to read from across the counter. */
export function PrinterStatusCard() {
  const t = useT();
  const { devices } = useServices();
  const printer = useDevices((s) => s.status?.printer);
  const testing = useDevices((s) => s.busy['test-print'] === true);
  const saved = useDevices((s) => s.saved?.printer?.connection);

  if (!printer) {
    return (
      <div className="dv-printer-status tone-idle" data-testid="printer-status" data-state="loading">
        <span className="spinner" aria-hidden="true" />
        <p>{t('devices.loading')}</p>
      </div>
    );
  }
  const state = printerState(printer);
  const tone = printerTone(state);
  const connection = printer.connection ? t(`devices.printer.connection.${printer.connection}`) : t('devices.printer.connection.none');
  return (
    <div className={`dv-printer-status tone-${tone}`} data-testid="printer-status" data-state={state} role="status" aria-live="polite">
      <div className="dv-printer-head">
        <span className="dv-status-icon" aria-hidden="true">
          {ICON[state]}
        </span>
        <div className="dv-printer-title">
          <p className="dv-printer-state" data-testid="printer-state-text">
            {t(`devices.printer.state.${state}`)}
          </p>
          <p className="dv-printer-advice">{t(`devices.printer.advice.${state}`)}</p>
        </div>
      </div>
      <dl className="dv-printer-facts">
        <div>
          <dt>{t('devices.printer.connectionLabel')}</dt>
          <dd>
            {connection}
            {printer.simulated && <span className="dv-tag">{t('devices.printer.simulated')}</span>}
            {!printer.simulated && saved && <span className="dv-fact-sub mono">{address(saved)}</span>}
          </dd>
        </div>
        <div>
          <dt>{t('devices.printer.paper')}</dt>
          <dd>
            {printer.paperEnd === null
              ? t('devices.unknown')
              : printer.paperEnd
                ? t('devices.printer.paperOut')
                : printer.paperNearEnd
                  ? t('devices.printer.paperLow')
                  : t('devices.printer.paperOk')}
          </dd>
        </div>
        <div>
          <dt>{t('devices.printer.cover')}</dt>
          <dd>
            {printer.coverOpen === null
              ? t('devices.unknown')
              : printer.coverOpen
                ? t('devices.printer.coverOpen')
                : t('devices.printer.coverClosed')}
          </dd>
        </div>
      </dl>
      {printer.lastError && state !== 'ready' && (
        <p className="dv-printer-error mono" title={printer.lastError}>
          {printer.lastError}
        </p>
      )}
      <div className="dv-actions">
        <button
          type="button"
          className="button-primary"
          data-testid="test-print"
          disabled={testing}
          aria-busy={testing}
          onClick={() => void devices.getState().testPrint()}
        >
          {testing ? t('devices.printer.testing') : t('devices.printer.testPrint')}
        </button>
        <button
          type="button"
          className="button-ghost"
          data-testid="printer-refresh"
          onClick={() => void devices.getState().refreshStatus()}
        >
          {t('devices.refresh')}
        </button>
      </div>
    </div>
  );
}
