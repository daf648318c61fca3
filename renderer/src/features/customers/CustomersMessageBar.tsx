import { useServices, useT } from '../../app/services.js';
import { describeError } from '../../i18n/describe-error.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { useCustomers } from './customers-hooks.js';

/** What the last action came to: a request sent to HQ, or why it was refused. */
export function CustomersMessageBar() {
  const t = useT();
  const { customers } = useServices();
  const message = useCustomers((s) => s.message);
  if (!message) return null;
  return (
    <div data-testid="customers-message" data-kind={message.kind}>
      <MessageBanner
        tone={message.kind === 'error' ? 'error' : 'info'}
        text={message.kind === 'error' ? describeError(t, message.error) : t('customers.sent')}
        onDismiss={() => customers.getState().dismissMessage()}
      />
    </div>
  );
}
