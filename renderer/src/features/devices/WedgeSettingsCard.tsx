import { useEffect } from 'react';
import { describeError } from '../../i18n/describe-error.js';
import { useDevicesWedge } from './devices-hooks.js';
import { useApp, useServices, useT } from '../../app/services.js';
import { Choice } from '../../ui/Choice.js';
import { Field } from '../../ui/Field.js';

/** Keyboard-wedge scanner thresholds (settings.wedge): saved on their own, applied at once. */
export function WedgeSettingsCard() {
  const t = useT();
  const { devicesWedge } = useServices();
  const settings = useApp((s) => s.settings);
  const draft = useDevicesWedge((s) => s.draft);
  const errors = useDevicesWedge((s) => s.fieldErrors);
  const saveState = useDevicesWedge((s) => s.saveState);
  const dirty = useDevicesWedge((s) => s.dirty);
  const error = useDevicesWedge((s) => s.error);

  useEffect(() => {
    if (settings) devicesWedge.getState().load(settings);
  }, [settings, devicesWedge]);

  if (!draft) return null;
  const { edit, save } = devicesWedge.getState();
  return (
    <section className="dv-card" aria-labelledby="dv-wedge-title" data-testid="wedge-settings">
      <header className="dv-card-head">
        <h2 id="dv-wedge-title">{t('devices.wedge.title')}</h2>
        <span className="dv-tag">{t('devices.wedge.noSetup')}</span>
      </header>
      <div className="dv-row">
        <Field
          label={t('devices.wedge.maxInterKeyMs')}
          hint={t('devices.wedge.maxInterKeyHint')}
          error={errors.maxInterKeyMs}
          name="wedge-interkey"
        >
          {(a) => (
            <input
              {...a}
              className="dv-input dv-input-short mono"
              inputMode="numeric"
              value={draft.maxInterKeyMs}
              onChange={(e) => edit({ maxInterKeyMs: e.target.value })}
              data-testid="wedge-interkey"
            />
          )}
        </Field>
        <Field label={t('devices.wedge.minLength')} hint={t('devices.wedge.minLengthHint')} error={errors.minLength} name="wedge-minlength">
          {(a) => (
            <input
              {...a}
              className="dv-input dv-input-short mono"
              inputMode="numeric"
              value={draft.minLength}
              onChange={(e) => edit({ minLength: e.target.value })}
              data-testid="wedge-minlength"
            />
          )}
        </Field>
      </div>
      <div className="dv-row">
        <Field label={t('devices.wedge.terminator')} error={errors.terminator} name="wedge-terminator">
          {() => (
            <Choice
              name="wedge-terminator"
              label={t('devices.wedge.terminator')}
              options={[
                { value: 'Enter', label: 'Enter' },
                { value: 'Tab', label: 'Tab' },
              ]}
              value={draft.terminator}
              onChange={(terminator) => edit({ terminator })}
            />
          )}
        </Field>
        <Field label={t('devices.wedge.prefix')} hint={t('devices.wedge.affixHint')} error={errors.prefix} name="wedge-prefix">
          {(a) => (
            <input
              {...a}
              className="dv-input dv-input-short mono"
              value={draft.prefix}
              onChange={(e) => edit({ prefix: e.target.value })}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label={t('devices.wedge.suffix')} hint={t('devices.wedge.affixHint')} error={errors.suffix} name="wedge-suffix">
          {(a) => (
            <input
              {...a}
              className="dv-input dv-input-short mono"
              value={draft.suffix}
              onChange={(e) => edit({ suffix: e.target.value })}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
      </div>
      {error && (
        <p className="dv-inline-error" role="alert">
          {describeError(t, error)}
        </p>
      )}
      <div className="dv-actions">
        <button
          type="button"
          className="button-primary"
          disabled={!dirty || saveState === 'saving'}
          onClick={() => void save()}
          data-testid="wedge-save"
        >
          {saveState === 'saving' ? t('devices.saving') : t('devices.wedge.save')}
        </button>
        {saveState === 'saved' && !dirty && (
          <span className="dv-saved" role="status">
            ✓ {t('devices.saved')}
          </span>
        )}
      </div>
    </section>
  );
}
