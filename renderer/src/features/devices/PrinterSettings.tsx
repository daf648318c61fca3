import { useDevices } from './devices-hooks.js';
import { useServices, useT } from '../../app/services.js';
import type { PrinterConnection, PrinterProfile } from './devices-types.js';
import { Choice } from '../../ui/Choice.js';
import { Field } from '../../ui/Field.js';
import { NumberInput } from '../../ui/NumberInput.js';
import { DEFAULT_SERIAL_LINE, SerialLineFields } from './SerialLineFields.js';

type ConnectionKind = PrinterConnection['kind'] | 'none';

const DEFAULT_CONNECTION: Record<PrinterConnection['kind'], PrinterConnection> = {
  tcp: { kind: 'tcp', host: '', port: 9100 },
  serial: { kind: 'serial', line: DEFAULT_SERIAL_LINE },
  usb: { kind: 'usb', path: '/dev/usb/lp0' },
};

const DEFAULT_PRINTER: Omit<PrinterProfile, 'connection'> = { mode: 'text-gb18030', paperMm: 80, logo: false };

/** How the receipt printer is reached and what it can print. */
export function PrinterSettings() {
  const t = useT();
  const { devices } = useServices();
  const printer = useDevices((s) => s.draft?.printer);
  const loaded = useDevices((s) => s.draft !== undefined);
  const errors = useDevices((s) => s.fieldErrors);
  if (!loaded) return null;

  const edit = (next: PrinterProfile | null, touched: string[]) =>
    devices.getState().editProfile((draft) => ({ ...draft, printer: next }), touched);
  const kind: ConnectionKind = printer?.connection.kind ?? 'none';
  const setKind = (next: ConnectionKind) => {
    if (next === kind) return;
    if (next === 'none') edit(null, ['printer']);
    else edit({ ...DEFAULT_PRINTER, ...printer, connection: DEFAULT_CONNECTION[next] }, ['printer.connection']);
  };
  const setConnection = (connection: PrinterConnection, touched: string[]) => printer && edit({ ...printer, connection }, touched);

  return (
    <section className="dv-card" aria-labelledby="dv-printer-settings" data-testid="printer-settings">
      <header className="dv-card-head">
        <h2 id="dv-printer-settings">{t('devices.printer.settings')}</h2>
      </header>
      <Field label={t('devices.printer.connectionLabel')} error={errors['printer.connection']} name="printer-kind">
        {() => (
          <Choice
            name="printer-kind"
            label={t('devices.printer.connectionLabel')}
            options={(['none', 'tcp', 'serial', 'usb'] as const).map((k) => ({ value: k, label: t(`devices.printer.connection.${k}`) }))}
            value={kind}
            onChange={setKind}
          />
        )}
      </Field>
      {kind === 'none' && <p className="dv-note">{t('devices.printer.noneNote')}</p>}
      {printer?.connection.kind === 'tcp' && (
        <div className="dv-row">
          <Field
            label={t('devices.printer.host')}
            hint={t('devices.printer.hostHint')}
            error={errors['printer.connection.host']}
            name="printer-host"
          >
            {(a) => {
              const connection = printer.connection as Extract<PrinterConnection, { kind: 'tcp' }>;
              return (
                <input
                  {...a}
                  className="dv-input mono"
                  value={connection.host}
                  placeholder="192.168.1.50"
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(e) => setConnection({ ...connection, host: e.target.value }, ['printer.connection.host'])}
                />
              );
            }}
          </Field>
          <Field label={t('devices.printer.port')} hint="1–65535" error={errors['printer.connection.port']} name="printer-port">
            {(a) => {
              const connection = printer.connection as Extract<PrinterConnection, { kind: 'tcp' }>;
              return (
                <NumberInput
                  {...a}
                  className="dv-input dv-input-short mono"
                  value={connection.port}
                  onValue={(port) => setConnection({ ...connection, port }, ['printer.connection.port'])}
                />
              );
            }}
          </Field>
        </div>
      )}
      {printer?.connection.kind === 'serial' && (
        <SerialLineFields
          name="printer-serial"
          path="printer.connection.line"
          line={printer.connection.line}
          onChange={(line, touched) => setConnection({ kind: 'serial', line }, touched)}
        />
      )}
      {printer?.connection.kind === 'usb' && (
        <Field
          label={t('devices.printer.usbPath')}
          hint={t('devices.printer.usbHint')}
          error={errors['printer.connection.path']}
          name="printer-usb"
        >
          {(a) => (
            <input
              {...a}
              className="dv-input mono"
              value={(printer.connection as Extract<PrinterConnection, { kind: 'usb' }>).path}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setConnection({ kind: 'usb', path: e.target.value }, ['printer.connection.path'])}
            />
          )}
        </Field>
      )}
      {printer && (
        <div className="dv-row">
          <Field
            label={t('devices.printer.mode')}
            hint={t(`devices.printer.modeHint.${printer.mode}`)}
            error={errors['printer.mode']}
            name="printer-mode"
          >
            {() => (
              <Choice
                name="printer-mode"
                label={t('devices.printer.mode')}
                options={(['text-gb18030', 'raster'] as const).map((m) => ({ value: m, label: t(`devices.printer.mode.${m}`) }))}
                value={printer.mode}
                onChange={(mode) => edit({ ...printer, mode }, ['printer.mode'])}
              />
            )}
          </Field>
          <Field label={t('devices.printer.paperWidth')} error={errors['printer.paperMm']} name="printer-paper">
            {() => (
              <Choice
                name="printer-paper"
                label={t('devices.printer.paperWidth')}
                options={([80, 58] as const).map((mm) => ({ value: mm, label: `${mm} mm` }))}
                value={printer.paperMm}
                onChange={(paperMm) => edit({ ...printer, paperMm }, ['printer.paperMm'])}
              />
            )}
          </Field>
        </div>
      )}
    </section>
  );
}
