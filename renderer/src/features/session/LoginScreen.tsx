import { useServices, useT } from '../../app/services.js';
import { useSession } from './session-hooks.js';
import { PinForm } from './PinForm.js';
import { pinErrorText } from './pin-error-text.js';
import './login.css';

/** PIN login of the shared till. Staff come from the store's staff list (HQ syncs it). */
export function LoginScreen() {
  const t = useT();
  const { session } = useServices();
  const busy = useSession((s) => s.busy);
  const error = useSession((s) => s.error);
  return (
    <section className="co-login" data-testid="login-screen" aria-label={t('session.login.title')}>
      <div className="co-login-intro">
        <h1>{t('session.login.title')}</h1>
        <p>{t('session.login.intro')}</p>
      </div>
      <div className="co-login-card">
        <PinForm
          testPrefix="login"
          busy={busy}
          error={error ? pinErrorText(t, error) : undefined}
          submitLabel={t('session.login.submit')}
          onSubmit={(code, pin) => void session.getState().login(code, pin)}
        />
      </div>
    </section>
  );
}
