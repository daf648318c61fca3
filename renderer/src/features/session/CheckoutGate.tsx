import type { ReactNode } from 'react';
import { useSession } from './session-hooks.js';
import type { ActiveSession } from './session-types.js';
import { useT } from '../../app/services.js';
import { ApprovalDialog } from './ApprovalDialog.js';
import { LockScreen } from './LockScreen.js';
import { LoginScreen } from './LoginScreen.js';
import { SessionBar } from './SessionBar.js';

type Props = {
  /** What the role must be allowed to do to see this screen (main enforces it anyway). */
  needs: keyof Pick<ActiveSession['permissions'], 'sell' | 'returns' | 'cash' | 'tender'>;
  children: ReactNode;
};

/**
 * Every checkout screen sits behind the till's session: the PIN login when nobody is logged in,
 * the lock screen when locked (the cart waits in main), the screen itself otherwise.
 */
export function CheckoutGate({ needs, children }: Props) {
  const t = useT();
  const session = useSession((s) => s.session);
  const failed = useSession((s) => s.error !== undefined);
  if (!session && !failed) return <div className="co-loading" aria-busy="true" />;
  if (!session || session.state === 'logged_out') return <LoginScreen />;
  if (session.state === 'locked') return <LockScreen staff={session.staff} />;
  return (
    <div className="co-screen">
      <SessionBar staff={session.staff} />
      {session.permissions[needs] ? (
        children
      ) : (
        <p className="co-form-error" data-testid="co-not-allowed">
          {t('session.notAllowed')}
        </p>
      )}
      <ApprovalDialog />
    </div>
  );
}
