import { useDevices } from './devices-hooks.js';
import { useServices, useT } from '../../app/services.js';
import type { SerialLine } from './devices-types.js';
import { Choice } from '../../ui/Choice.js';
import { Field } from '../../ui/Field.js';
import './found-list.css';

const BAUDS = [9600, 19200, 38400, 57600, 115200] as const;
// Mark and space parity are rare: offered only when a profile already uses one.
const PARITIES = ['none', 'even', 'odd', 'mark', 'space'] as const;

type Props = {
  line: SerialLine;
  onChange: (line: SerialLine, touched: string[]) => void;
  /** Where this line sits in the profile (`printer.connection.line`), to find its errors. */
  path: string;
  /** For tests: prefix of the fields' data-testid. */
  name: string;
};

/** Port, speed and framing of a serial line, with the ports the OS sees one tap away. */
export function SerialLineFields({ line, onChange, path, name }: Props) {
  const t = useT();
  const { devices } = useServices();
  const errors = useDevices((s) => s.fieldErrors);
  const ports = useDevices((s) => s.serialPorts);
  const listing = useDevices((s) => s.busy.ports === true);
  const set = <K extends keyof SerialLine>(key: K, value: SerialLine[K]) => onChange({ ...line, [key]: value }, [`${path}.${key}`]);

  return (
    <div className="dv-serial">
      <Field label={t('devices.serial.port')} hint={t('devices.serial.portHint')} error={errors[`${path}.path`]} name={`${name}-path`}>
        {(a) => (
          <div className="dv-inline">
            <input
              {...a}
              className="dv-input mono"
              value={line.path}
              placeholder="/dev/ttyUSB0"
              onChange={(e) => set('path', e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
            <button
              type="button"
              className="button-ghost"
              disabled={listing}
              onClick={() => void devices.getState().listSerialPorts()}
              data-testid={`${name}-list-ports`}
            >
              {t('devices.serial.listPorts')}
            </button>
          </div>
        )}
      </Field>
      {ports && (
        <div className="dv-found" data-testid={`${name}-ports`}>
          {ports.length === 0 ? (
            <p className="dv-empty">{t('devices.serial.noPorts')}</p>
          ) : (
            ports.map((port) => (
              <button
                key={port.path}
                type="button"
                className={port.path === line.path ? 'dv-found-item is-on' : 'dv-found-item'}
                onClick={() => set('path', port.path)}
              >
                <span className="mono">{port.path}</span>
                <span className="dv-found-meta">
                  {[port.manufacturer, port.vendorId && port.productId ? `${port.vendorId}:${port.productId}` : null]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </button>
            ))
          )}
        </div>
      )}
      <Field label={t('devices.serial.baud')} error={errors[`${path}.baudRate`]} name={`${name}-baud`}>
        {() => (
          <Choice
            name={`${name}-baud`}
            label={t('devices.serial.baud')}
            options={BAUDS.map((b) => ({ value: b, label: String(b) }))}
            value={line.baudRate}
            onChange={(v) => set('baudRate', v)}
          />
        )}
      </Field>
      <div className="dv-row">
        <Field label={t('devices.serial.dataBits')} error={errors[`${path}.dataBits`]} name={`${name}-databits`}>
          {() => (
            <Choice
              name={`${name}-databits`}
              label={t('devices.serial.dataBits')}
              options={[7, 8].map((b) => ({ value: b, label: String(b) }))}
              value={line.dataBits}
              onChange={(v) => set('dataBits', v as SerialLine['dataBits'])}
            />
          )}
        </Field>
        <Field label={t('devices.serial.parity')} error={errors[`${path}.parity`]} name={`${name}-parity`}>
          {() => (
            <Choice
              name={`${name}-parity`}
              label={t('devices.serial.parity')}
              options={PARITIES.filter((p) => p === line.parity || (p !== 'mark' && p !== 'space')).map((p) => ({
                value: p,
                label: t(`devices.serial.parity.${p}`),
              }))}
              value={line.parity}
              onChange={(v) => set('parity', v)}
            />
          )}
        </Field>
        <Field label={t('devices.serial.stopBits')} error={errors[`${path}.stopBits`]} name={`${name}-stopbits`}>
          {() => (
            <Choice
              name={`${name}-stopbits`}
              label={t('devices.serial.stopBits')}
              options={[1, 2].map((b) => ({ value: b, label: String(b) }))}
              value={line.stopBits}
              onChange={(v) => set('stopBits', v as SerialLine['stopBits'])}
            />
          )}
        </Field>
      </div>
    </div>
  );
}

export const DEFAULT_SERIAL_LINE: SerialLine = { path: '', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 };
