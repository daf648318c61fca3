import { useState } from 'react';
import { useApp, useServices, useT } from '../../app/services.js';
import { pickName } from '../../i18n/pick-name.js';
import { Modal } from '../../ui/Modal.js';
import { ContactFields } from './ContactFields.js';
import type { ContactValue } from './ContactFields.js';
import type { TaskView } from './customers-types.js';

/** A task being worked: the script to read, the coupon to send, how it went; or snoozed. */
export function TaskDialog({ task, onClose }: { task: TaskView; onClose: () => void }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const { customers } = useServices();
  const [value, setValue] = useState<ContactValue>({ channel: 'wechat', outcome: 'reached', note: '' });
  const complete = async () => {
    if (await customers.getState().completeTask(task.id, value.channel, value.outcome, value.note.trim())) onClose();
  };
  const snooze = async (days: number) => {
    if (await customers.getState().snoozeTask(task.id, days)) onClose();
  };
  return (
    <Modal title={`${pickName(task.name, language)} · ${task.customerName}`} onClose={onClose} testId="task-dialog" wide>
      <div className="cb-form">
        <div className="cb-script">
          <div className="cb-label">{t('customers.tasks.script')}</div>
          <p data-testid="task-script">{pickName(task.script, language)}</p>
          {task.coupon && <p className="cb-muted">{t('customers.tasks.coupon', { coupon: task.coupon })}</p>}
        </div>
        <ContactFields value={value} onChange={setValue} />
        <div className="cb-actions">
          <button type="button" className="button-primary" onClick={() => void complete()} data-testid="task-complete">
            {t('customers.tasks.complete')}
          </button>
          {[1, 3, 7].map((days) => (
            <button key={days} type="button" className="button-ghost" onClick={() => void snooze(days)} data-testid={`task-snooze-${days}`}>
              {t('customers.tasks.snooze', { days })}
            </button>
          ))}
        </div>
      </div>
    </Modal>
  );
}
