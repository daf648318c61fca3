import { useServices, useT } from '../../app/services.js';
import { useSession } from './session-hooks.js';
import { Modal } from '../../ui/Modal.js';
import { PinForm } from './PinForm.js';
import { pinErrorText } from './pin-error-text.js';
import './approval-dialog.css';

/** A manager approves one action with their own code and PIN; the cashier stays logged in. */
export function ApprovalDialog() {
  const t = useT();
  const { session } = useServices();
  const approval = useSession((s) => s.approval);
  if (!approval) return null;
  const cancel = () => session.getState().cancelApproval();
  return (
    <Modal title={t('session.approval.title')} onClose={cancel} testId="approval-dialog">
      <p className="co-approval-reason" data-testid="approval-action">
        {t(`session.approval.action.${approval.action}`)}
      </p>
      <PinForm
        key={approval.id}
        testPrefix="approval"
        busy={approval.busy}
        error={approval.error ? pinErrorText(t, approval.error) : undefined}
        submitLabel={t('session.approval.submit')}
        onSubmit={(code, pin) => void session.getState().approve(code, pin)}
      >
        <button type="button" className="button-ghost" onClick={cancel}>
          {t('ui.cancel')}
        </button>
      </PinForm>
    </Modal>
  );
}
