import { useDevices } from './devices-hooks.js';
import { useServices, useT } from '../../app/services.js';
import './save-bar.css';

/** Shown while the peripheral profile has unsaved changes: one place to save or drop them. */
export function ProfileSaveBar() {
  const t = useT();
  const { devices } = useServices();
  const dirty = useDevices((s) => s.dirty);
  const saving = useDevices((s) => s.busy.save === true);
  const problems = useDevices((s) => Object.keys(s.fieldErrors).length);
  if (!dirty) return null;
  return (
    <div className="dv-savebar" role="region" aria-label={t('devices.profile.unsaved')} data-testid="profile-savebar">
      <p>{problems > 0 ? t('devices.profile.fixFields', { count: problems }) : t('devices.profile.unsaved')}</p>
      <button
        type="button"
        className="button-ghost"
        disabled={saving}
        onClick={() => devices.getState().discardProfile()}
        data-testid="profile-discard"
      >
        {t('devices.profile.discard')}
      </button>
      <button
        type="button"
        className="button-primary"
        disabled={saving}
        onClick={() => void devices.getState().saveProfile()}
        data-testid="profile-save"
      >
        {saving ? t('devices.saving') : t('devices.profile.save')}
      </button>
    </div>
  );
}
