import { useState } from 'react';
import { useApp, useServices, useStoreTimeZone, useT } from '../../app/services.js';
import { pickName } from '../../i18n/pick-name.js';
import { TaskDialog } from './TaskDialog.js';
import { useCustomers } from './customers-hooks.js';
import { formatDate, isOverdue } from './customers-text.js';
import type { TaskView } from './customers-types.js';

/** The guide's tasks from HQ's campaigns (a manager's: the store's), due first; worked offline too. */
export function TaskList() {
  const t = useT();
  const language = useApp((s) => s.language);
  const timeZone = useStoreTimeZone();
  const { customers } = useServices();
  const tasks = useCustomers((s) => s.tasks);
  const status = useCustomers((s) => s.taskStatus);
  const [working, setWorking] = useState<TaskView | null>(null);
  const now = new Date();
  return (
    <section className="cb-tasks" data-testid="task-list">
      <div className="cb-segments" role="tablist">
        {(['open', 'done'] as const).map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            aria-selected={s === status}
            className={s === status ? 'segment is-active' : 'segment'}
            onClick={() => customers.getState().setTaskStatus(s)}
            data-testid={`tasks-${s}`}
          >
            {t(`customers.tasks.${s}`)}
          </button>
        ))}
      </div>
      {tasks && tasks.items.length === 0 && <p className="cb-empty">{t('customers.tasks.empty')}</p>}
      <ul className="co-list cb-rows">
        {(tasks?.items ?? []).map((x) => {
          const due = x.status === 'snoozed' && x.snoozedUntil ? x.snoozedUntil : x.dueAt;
          return (
            <li
              key={x.id}
              className="cb-task"
              data-testid="task-row"
              data-task-id={x.id}
              data-kind={x.kind}
              data-status={x.status}
              data-locked={x.locked}
            >
              <div className="cb-row-main">
                <span className="cb-row-name">
                  {pickName(x.name, language)} · {x.customerName}
                  {x.locked && <span className="cb-badge cb-badge-muted">{t('customers.tasks.locked')}</span>}
                  {x.status === 'open' && isOverdue(due, now, timeZone) && (
                    <span className="cb-badge cb-badge-refused">{t('customers.tasks.overdue')}</span>
                  )}
                </span>
                <span className="cb-row-meta">
                  <span className="mono">{x.phone}</span>
                  {x.status === 'done' && x.doneAt ? (
                    <span>{t('customers.tasks.doneAt', { date: formatDate(x.doneAt, timeZone, language) })}</span>
                  ) : x.status === 'snoozed' && x.snoozedUntil ? (
                    <span>{t('customers.tasks.snoozed', { date: formatDate(x.snoozedUntil, timeZone, language) })}</span>
                  ) : (
                    <span>{t('customers.list.due', { date: formatDate(x.dueAt, timeZone, language) })}</span>
                  )}
                  {x.outcome && <span>{t(`customers.outcome.${x.outcome as 'reached'}`)}</span>}
                </span>
              </div>
              {(x.status === 'open' || x.status === 'snoozed') && (
                <button type="button" className="button-primary" disabled={x.locked} onClick={() => setWorking(x)} data-testid="task-work">
                  {t('customers.tasks.work')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {working && <TaskDialog task={working} onClose={() => setWorking(null)} />}
    </section>
  );
}
