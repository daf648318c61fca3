import { useState } from 'react';
import { useDevices } from './devices-hooks.js';
import { useApp, useServices, useT, useStoreTimeZone } from '../../app/services.js';
import type { DrawerProfile, DrawerPulse } from './devices-types.js';
import { Choice } from '../../ui/Choice.js';
import { Field } from '../../ui/Field.js';
import { formatStoreTime } from '../../ui/format/event-time.js';
import { NumberInput } from '../../ui/NumberInput.js';
import { DEFAULT_SERIAL_LINE, SerialLineFields } from './SerialLineFields.js';
import './drawer.css';

// ESC p 0 25 250 in 2 ms units: the pulse most drawers expect.
const DEFAULT_PULSE: DrawerPulse = { pin: 0, onMs: 50, offMs: 500 };

const REASONS = ['test', 'change', 'other'] as const;

/** The cash drawer: how it is kicked, its state, and an audited "open drawer" test. */
export function DrawerPanel() {
  const t = useT();
  const { devices } = useServices();
  const drawer = useDevices((s) => s.draft?.drawer);
  const status = useDevices((s) => s.status?.drawer);
  const errors = useDevices((s) => s.fieldErrors);
  const opening = useDevices((s) => s.busy.drawer === true);
  const language = useApp((s) => s.language);
  const timezone = useStoreTimeZone();
  const [reason, setReason] = useState('');
  if (!drawer) return null;

  const edit = (next: DrawerProfile, touched: string[]) => devices.getState().editProfile((draft) => ({ ...draft, drawer: next }), touched);
  const pulse = drawer.kind === 'none' ? undefined : drawer.pulse;
  const setPulse = (next: DrawerPulse, touched: string[]) => drawer.kind !== 'none' && edit({ ...drawer, pulse: next }, touched);
  const open = async () => {
    if (await devices.getState().openDrawer(reason.trim())) setReason('');
  };

  return (
    <div className="dv-columns">
      <section className="dv-card" aria-labelledby="dv-drawer-test" data-testid="drawer-test">
        <header className="dv-card-head">
          <h2 id="dv-drawer-test">{t('devices.drawer.title')}</h2>
          <span className={`dv-state-badge ${status?.open ? 'state-held' : 'state-done'}`} data-testid="drawer-state">
            {!status || !status.configured
              ? t('devices.drawer.notConfigured')
              : status.open === null
                ? t('devices.drawer.unknown')
                : status.open
                  ? t('devices.drawer.open')
                  : t('devices.drawer.closed')}
          </span>
        </header>
        {status?.lastOpenedAt && (
          <p className="dv-note">{t('devices.drawer.lastOpened', { time: formatStoreTime(status.lastOpenedAt, timezone, language) })}</p>
        )}
        <Field label={t('devices.drawer.reason')} hint={t('devices.drawer.reasonHint')} name="drawer-reason">
          {(a) => (
            <input
              {...a}
              className="dv-input"
              value={reason}
              maxLength={200}
              onChange={(e) => setReason(e.target.value)}
              data-testid="drawer-reason"
              autoComplete="off"
            />
          )}
        </Field>
        <div className="dv-chips">
          {REASONS.map((r) => (
            <button key={r} type="button" className="dv-chip" onClick={() => setReason(t(`devices.drawer.reason.${r}`))}>
              {t(`devices.drawer.reason.${r}`)}
            </button>
          ))}
        </div>
        <div className="dv-actions">
          <button
            type="button"
            className="button-primary"
            disabled={opening || reason.trim() === ''}
            onClick={() => void open()}
            data-testid="drawer-open"
          >
            {t('devices.drawer.openNow')}
          </button>
        </div>
        <p className="dv-note">{t('devices.drawer.logged')}</p>
      </section>

      <section className="dv-card" aria-labelledby="dv-drawer-settings" data-testid="drawer-settings">
        <header className="dv-card-head">
          <h2 id="dv-drawer-settings">{t('devices.drawer.settings')}</h2>
        </header>
        <Field label={t('devices.drawer.kind')} error={errors['drawer.kind']} name="drawer-kind">
          {() => (
            <Choice
              name="drawer-kind"
              label={t('devices.drawer.kind')}
              options={(['printer', 'serial', 'none'] as const).map((k) => ({ value: k, label: t(`devices.drawer.kind.${k}`) }))}
              value={drawer.kind}
              onChange={(kind) => {
                if (kind === drawer.kind) return;
                const keep = pulse ?? DEFAULT_PULSE;
                edit(
                  kind === 'none'
                    ? { kind }
                    : kind === 'printer'
                      ? { kind, pulse: keep }
                      : { kind, pulse: keep, line: DEFAULT_SERIAL_LINE },
                  ['drawer'],
                );
              }}
            />
          )}
        </Field>
        {drawer.kind === 'serial' && (
          <SerialLineFields
            name="drawer-serial"
            path="drawer.line"
            line={drawer.line}
            onChange={(line, touched) => edit({ ...drawer, line }, touched)}
          />
        )}
        {pulse && (
          <>
            <Field label={t('devices.drawer.pin')} error={errors['drawer.pulse.pin']} name="drawer-pin">
              {() => (
                <Choice
                  name="drawer-pin"
                  label={t('devices.drawer.pin')}
                  options={[
                    { value: 0, label: t('devices.drawer.pin2') },
                    { value: 1, label: t('devices.drawer.pin5') },
                  ]}
                  value={pulse.pin}
                  onChange={(pin) => setPulse({ ...pulse, pin: pin as DrawerPulse['pin'] }, ['drawer.pulse.pin'])}
                />
              )}
            </Field>
            <div className="dv-row">
              <Field label={t('devices.drawer.onMs')} hint="2–510 ms" error={errors['drawer.pulse.onMs']} name="drawer-on">
                {(a) => (
                  <NumberInput
                    {...a}
                    className="dv-input dv-input-short mono"
                    value={pulse.onMs}
                    onValue={(onMs) => setPulse({ ...pulse, onMs }, ['drawer.pulse.onMs'])}
                  />
                )}
              </Field>
              <Field label={t('devices.drawer.offMs')} hint="2–510 ms" error={errors['drawer.pulse.offMs']} name="drawer-off">
                {(a) => (
                  <NumberInput
                    {...a}
                    className="dv-input dv-input-short mono"
                    value={pulse.offMs}
                    onValue={(offMs) => setPulse({ ...pulse, offMs }, ['drawer.pulse.offMs'])}
                  />
                )}
              </Field>
            </div>
          </>
        )}
      </section>
    </div>
  );
}
