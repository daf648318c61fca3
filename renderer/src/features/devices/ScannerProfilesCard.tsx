import { useDevices } from './devices-hooks.js';
import { useServices, useT } from '../../app/services.js';
import type { HidScannerProfile, ScannerProfile, ScannerStatus, SerialScannerProfile } from './devices-types.js';
import { Choice } from '../../ui/Choice.js';
import { Field } from '../../ui/Field.js';
import { DEFAULT_SERIAL_LINE, SerialLineFields } from './SerialLineFields.js';
import './found-list.css';
import './scanners.css';

const MAX_SCANNERS = 8;
const TERMINATORS = ['CR', 'LF', 'CRLF', 'TAB', 'ETX'] as const;

/** An id not yet used in the profile: `serial-1`, `hid-2` … (status is reported under it). */
function nextId(scanners: readonly ScannerProfile[], kind: ScannerProfile['kind']): string {
  for (let n = 1; ; n++) if (!scanners.some((s) => s.id === `${kind}-${n}`)) return `${kind}-${n}`;
}

const hex = (n: number) => n.toString(16).padStart(4, '0');

/** Serial and USB-HID scanners: each with its settings, connection state and counted errors. */
export function ScannerProfilesCard() {
  const t = useT();
  const { devices } = useServices();
  const scanners = useDevices((s) => s.draft?.scanners);
  const statuses = useDevices((s) => s.status?.scanners);
  if (!scanners) return null;

  const edit = (update: (scanners: ScannerProfile[]) => ScannerProfile[], touched: string[] = []) =>
    devices.getState().editProfile((draft) => ({ ...draft, scanners: update([...draft.scanners]) }), touched);
  const add = (kind: ScannerProfile['kind']) =>
    edit((list) => [
      ...list,
      kind === 'serial'
        ? { kind, id: nextId(list, kind), enabled: true, line: DEFAULT_SERIAL_LINE, terminator: 'CR', maxLength: 256, idleFlushMs: 0 }
        : { kind, id: nextId(list, kind), enabled: true, vendorId: 0, productId: 0 },
    ]);

  return (
    <section className="dv-card" aria-labelledby="dv-scanners-title" data-testid="scanner-profiles">
      <header className="dv-card-head">
        <h2 id="dv-scanners-title">{t('devices.scanners.title')}</h2>
        <div className="dv-inline">
          <button
            type="button"
            className="button-ghost"
            disabled={scanners.length >= MAX_SCANNERS}
            onClick={() => add('serial')}
            data-testid="add-serial-scanner"
          >
            + {t('devices.scanners.addSerial')}
          </button>
          <button
            type="button"
            className="button-ghost"
            disabled={scanners.length >= MAX_SCANNERS}
            onClick={() => add('hid')}
            data-testid="add-hid-scanner"
          >
            + {t('devices.scanners.addHid')}
          </button>
        </div>
      </header>
      {scanners.length === 0 && <p className="dv-empty">{t('devices.scanners.none')}</p>}
      {scanners.map((scanner, index) => (
        <ScannerEntry
          key={scanner.id}
          scanner={scanner}
          index={index}
          status={statuses?.find((s) => s.id === scanner.id)}
          onChange={(next, touched) => edit((list) => list.map((s, i) => (i === index ? next : s)), touched)}
          onRemove={() => edit((list) => list.filter((_, i) => i !== index), [`scanners.${index}`])}
        />
      ))}
    </section>
  );
}

type EntryProps = {
  scanner: ScannerProfile;
  index: number;
  status: ScannerStatus | undefined;
  onChange: (next: ScannerProfile, touched: string[]) => void;
  onRemove: () => void;
};

function ScannerEntry({ scanner, index, status, onChange, onRemove }: EntryProps) {
  const t = useT();
  const path = `scanners.${index}`;
  return (
    <div className="dv-subcard" data-testid="scanner-entry" data-scanner-id={scanner.id} data-kind={scanner.kind}>
      <div className="dv-subcard-head">
        <p className="dv-subcard-title">
          {t(`devices.scanners.kind.${scanner.kind}`)}
          <span className="code">{scanner.id}</span>
        </p>
        <ScannerStatusBadge status={status} enabled={scanner.enabled} />
        <label className="dv-switch">
          <input
            type="checkbox"
            checked={scanner.enabled}
            onChange={(e) => onChange({ ...scanner, enabled: e.target.checked }, [`${path}.enabled`])}
          />
          <span>{t('devices.enabled')}</span>
        </label>
        <button type="button" className="button-ghost" onClick={onRemove}>
          {t('devices.remove')}
        </button>
      </div>
      {status && <ErrorCounts status={status} />}
      {scanner.kind === 'serial' ? (
        <SerialScannerFields scanner={scanner} path={path} onChange={onChange} />
      ) : (
        <HidScannerFields scanner={scanner} path={path} onChange={onChange} />
      )}
    </div>
  );
}

function ScannerStatusBadge({ status, enabled }: { status: ScannerStatus | undefined; enabled: boolean }) {
  const t = useT();
  if (!enabled) return <span className="dv-state-badge state-cancelled">{t('devices.scanners.disabled')}</span>;
  if (!status) return <span className="dv-state-badge state-queued">{t('devices.scanners.notSaved')}</span>;
  return (
    <span
      className={`dv-state-badge ${status.connected ? 'state-done' : 'state-failed'}`}
      data-testid="scanner-connected"
      data-connected={status.connected}
    >
      {status.connected ? t('devices.scanners.connected') : t('devices.scanners.disconnected')}
    </span>
  );
}

function ErrorCounts({ status }: { status: ScannerStatus }) {
  const t = useT();
  const e = status.errors;
  return (
    <p className="dv-counts" data-testid="scanner-counts">
      <span>{t('devices.scanners.scans', { count: status.scans })}</span>
      <span className={e.garbage ? 'is-bad' : ''}>{t('devices.scanners.garbage', { count: e.garbage })}</span>
      <span className={e.overlong ? 'is-bad' : ''}>{t('devices.scanners.overlong', { count: e.overlong })}</span>
      <span className={e.partial ? 'is-bad' : ''}>{t('devices.scanners.partial', { count: e.partial })}</span>
      <span className={e.io ? 'is-bad' : ''}>{t('devices.scanners.io', { count: e.io })}</span>
      {status.lastError && <span className="mono dv-last-error">{status.lastError}</span>}
    </p>
  );
}

function SerialScannerFields({
  scanner,
  path,
  onChange,
}: {
  scanner: SerialScannerProfile;
  path: string;
  onChange: EntryProps['onChange'];
}) {
  const t = useT();
  const errors = useDevices((s) => s.fieldErrors);
  return (
    <>
      <SerialLineFields
        name={`${scanner.id}-line`}
        path={`${path}.line`}
        line={scanner.line}
        onChange={(line, touched) => onChange({ ...scanner, line }, touched)}
      />
      <Field label={t('devices.scanners.terminator')} error={errors[`${path}.terminator`]} name={`${scanner.id}-terminator`}>
        {() => (
          <Choice
            name={`${scanner.id}-terminator`}
            label={t('devices.scanners.terminator')}
            options={TERMINATORS.map((v) => ({ value: v, label: v }))}
            value={scanner.terminator}
            onChange={(terminator) => onChange({ ...scanner, terminator }, [`${path}.terminator`])}
          />
        )}
      </Field>
    </>
  );
}

function HidScannerFields({ scanner, path, onChange }: { scanner: HidScannerProfile; path: string; onChange: EntryProps['onChange'] }) {
  const t = useT();
  const { devices } = useServices();
  const errors = useDevices((s) => s.fieldErrors);
  const found = useDevices((s) => s.hidDevices);
  const unavailable = useDevices((s) => s.hidUnavailable);
  const listing = useDevices((s) => s.busy.hid === true);
  const chosen = scanner.vendorId !== 0 || scanner.productId !== 0;
  const error = errors[`${path}.vendorId`] ?? errors[`${path}.productId`];
  return (
    <>
      <Field label={t('devices.hid.device')} error={error} name={`${scanner.id}-hid`}>
        {() => (
          <div className="dv-inline">
            <span className="dv-value mono">
              {chosen ? `${hex(scanner.vendorId)}:${hex(scanner.productId)}` : t('devices.hid.noneChosen')}
            </span>
            <button
              type="button"
              className="button-ghost"
              disabled={listing}
              onClick={() => void devices.getState().listHid()}
              data-testid={`${scanner.id}-list-hid`}
            >
              {t('devices.hid.list')}
            </button>
          </div>
        )}
      </Field>
      {unavailable && (
        <p className="dv-empty dv-error-text" role="alert" data-testid="hid-unavailable">
          {t('devices.failed.hid', { reason: unavailable })}
        </p>
      )}
      {found && (
        <div className="dv-found">
          {found.length === 0 ? (
            <p className="dv-empty">{t('devices.hid.noDevices')}</p>
          ) : (
            found.map((d) => (
              <button
                key={`${d.vendorId}:${d.productId}:${d.path ?? ''}`}
                type="button"
                className={d.vendorId === scanner.vendorId && d.productId === scanner.productId ? 'dv-found-item is-on' : 'dv-found-item'}
                onClick={() =>
                  onChange({ ...scanner, vendorId: d.vendorId, productId: d.productId }, [`${path}.vendorId`, `${path}.productId`])
                }
              >
                <span>
                  {d.product ?? t('devices.hid.unnamed')}{' '}
                  <span className="mono dv-found-meta">{`${hex(d.vendorId)}:${hex(d.productId)}`}</span>
                </span>
                <span className="dv-found-meta">
                  {d.manufacturer ?? ''}
                  {d.posScanner && <span className="dv-tag">{t('devices.hid.posScanner')}</span>}
                </span>
              </button>
            ))
          )}
        </div>
      )}
    </>
  );
}
