import { useServices, useT } from '../../app/services.js';
import { useSession } from './session-hooks.js';
import type { StaffView } from './session-types.js';
import { PinForm } from './PinForm.js';
import { pinErrorText } from './pin-error-text.js';
import './login.css';

/** The locked till: the same person's PIN brings the screen (and the cart) back; anyone else logs out first. */
export function LockScreen({ staff }: { staff: StaffView }) {
  const t = useT();
  const { session } = useServices();
  const busy = useSession((s) => s.busy);
  const error = useSession((s) => s.error);
  return (
    <section className="co-login" data-testid="lock-screen" aria-label={t('session.lock.title')}>
      <div className="co-login-intro">
        <span className="co-lock-badge">{t('session.lock.badge')}</span>
        <h1>{t('session.lock.title')}</h1>
        <p>{t('session.lock.intro', { name: staff.name })}</p>
      </div>
      <div className="co-login-card">
        <PinForm
          testPrefix="unlock"
          fixedCode={staff.code}
          busy={busy}
          error={error ? pinErrorText(t, error) : undefined}
          submitLabel={t('session.lock.submit')}
          onSubmit={(_code, pin) => void session.getState().unlock(pin)}
        >
          <button type="button" className="button-ghost" data-testid="lock-logout" onClick={() => void session.getState().logout()}>
            {t('session.lock.switchUser')}
          </button>
        </PinForm>
      </div>
    </section>
  );
}
