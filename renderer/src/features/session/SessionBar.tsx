import { useServices, useT } from '../../app/services.js';
import type { StaffView } from './session-types.js';
import './session-bar.css';

/** Who is at the till, and the buttons to step away (lock) or hand over (log out). */
export function SessionBar({ staff }: { staff: StaffView }) {
  const t = useT();
  const { session } = useServices();
  return (
    <div className="co-session">
      <div className="co-session-who" data-testid="session-staff" data-staff-code={staff.code}>
        <span className="co-avatar" aria-hidden="true">
          {staff.name.slice(0, 1)}
        </span>
        <span>{staff.name}</span>
        <span className="co-role">{t(`session.role.${staff.role}`)}</span>
      </div>
      <div className="co-session-actions">
        <button type="button" className="button-ghost" data-testid="session-lock" onClick={() => void session.getState().lock()}>
          {t('session.bar.lock')}
        </button>
        <button type="button" className="button-ghost" data-testid="session-logout" onClick={() => void session.getState().logout()}>
          {t('session.bar.logout')}
        </button>
      </div>
    </div>
  );
}
