import { useDevices } from './devices-hooks.js';
import { useT } from '../../app/services.js';
import { printerState, printerTone } from './printer-state.js';
import type { Tone } from './printer-state.js';
import './devices-summary.css';

type Props = { onOpen: (section: 'printer' | 'scanners' | 'drawer') => void };

/** One line of tiles: is every peripheral fine? A tap opens the one that is not. */
export function DevicesSummary({ onOpen }: Props) {
  const t = useT();
  const status = useDevices((s) => s.status);
  if (!status) return null;
  const pState = printerState(status.printer);
  const enabled = status.scanners.filter((s) => s.enabled);
  const connected = enabled.filter((s) => s.connected).length;
  const scannerTone: Tone = enabled.length === 0 ? 'ok' : connected === enabled.length ? 'ok' : 'error';
  const drawerTone: Tone = !status.drawer.configured ? 'idle' : status.drawer.open ? 'warn' : 'ok';
  const queueTone: Tone = status.queue.failed > 0 || status.queue.held > 0 ? 'error' : status.queue.queued > 0 ? 'warn' : 'ok';

  return (
    <div className="dv-summary" data-testid="devices-summary">
      <Tile
        tone={printerTone(pState)}
        label={t('devices.section.printer')}
        value={t(`devices.printer.state.${pState}`)}
        onClick={() => onOpen('printer')}
        testId="summary-printer"
      />
      <Tile
        tone={queueTone}
        label={t('devices.queue.title')}
        value={
          status.queue.held + status.queue.failed > 0
            ? t('devices.queue.needsAttention', { count: status.queue.held + status.queue.failed })
            : t('devices.queue.pending', { count: status.queue.queued })
        }
        onClick={() => onOpen('printer')}
        testId="summary-queue"
      />
      <Tile
        tone={scannerTone}
        label={t('devices.section.scanners')}
        value={
          enabled.length === 0
            ? t('devices.scanners.wedgeOnly')
            : t('devices.scanners.connectedCount', { connected, total: enabled.length })
        }
        onClick={() => onOpen('scanners')}
        testId="summary-scanners"
      />
      <Tile
        tone={drawerTone}
        label={t('devices.section.drawer')}
        value={
          !status.drawer.configured
            ? t('devices.drawer.notConfigured')
            : status.drawer.open === null
              ? t('devices.drawer.unknown')
              : status.drawer.open
                ? t('devices.drawer.open')
                : t('devices.drawer.closed')
        }
        onClick={() => onOpen('drawer')}
        testId="summary-drawer"
      />
    </div>
  );
}

function Tile({ tone, label, value, onClick, testId }: { tone: Tone; label: string; value: string; onClick: () => void; testId: string }) {
  return (
    <button type="button" className={`dv-tile tone-${tone}`} onClick={onClick} data-testid={testId} data-tone={tone}>
      <span className="dv-tile-dot" aria-hidden="true" />
      <span className="dv-tile-text">
        <span className="dv-tile-label">{label}</span>
        <span className="dv-tile-value">{value}</span>
      </span>
    </button>
  );
}
