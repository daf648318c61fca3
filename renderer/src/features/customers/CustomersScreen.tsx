import { useEffect } from 'react';
import type { ClipboardEvent, MouseEvent } from 'react';
import { useServices, useT } from '../../app/services.js';
import { useSession } from '../session/session-hooks.js';
import { LockScreen } from '../session/LockScreen.js';
import { LoginScreen } from '../session/LoginScreen.js';
import { SessionBar } from '../session/SessionBar.js';
import { CustomerList } from './CustomerList.js';
import { CustomerProfilePanel } from './CustomerProfilePanel.js';
import { CustomersMessageBar } from './CustomersMessageBar.js';
import { ResultsPanel } from './ResultsPanel.js';
import { TaskList } from './TaskList.js';
import { Watermark } from './Watermark.js';
import { useCustomers } from './customers-hooks.js';
import type { CustomersTab } from './customers-types.js';
import './customers.css';
import './customer-profile.css';

const block = (event: ClipboardEvent | MouseEvent) => event.preventDefault();

/**
 * The customer book on the store tablet: the guide's customers, tasks and results; a manager's
 * store and pool too. Behind the staff login like the till. While it shows, the window blocks
 * screen capture (Electron), nothing can be copied, selected or printed, and a watermark names
 * who is looking.
 */
export function CustomersScreen() {
  const t = useT();
  const { api, customers } = useServices();
  const session = useSession((s) => s.session);
  const tab = useCustomers((s) => s.tab);
  const selected = useCustomers((s) => s.selectedId);

  useEffect(() => {
    void api.call('customers', 'privacy', { protect: true });
    return () => void api.call('customers', 'privacy', { protect: false });
  }, [api]);
  const active = session?.state === 'active' ? session : undefined;
  useEffect(() => {
    if (active) void customers.getState().refresh();
  }, [active?.staff.id, customers]); // eslint-disable-line react-hooks/exhaustive-deps -- refresh when the staff member changes, not on every session tick

  if (!session) return <div className="co-loading" aria-busy="true" />;
  if (session.state === 'logged_out') return <LoginScreen />;
  if (session.state === 'locked') return <LockScreen staff={session.staff} />;
  const manager = session.staff.role === 'manager';
  const tabs: CustomersTab[] = manager ? ['mine', 'store', 'pool', 'tasks', 'results'] : ['mine', 'tasks', 'results'];
  const listing = tab === 'mine' || tab === 'store' || tab === 'pool';
  return (
    <div className="co-screen cb-screen" data-testid="customers-screen" onCopy={block} onCut={block} onContextMenu={block}>
      <SessionBar staff={session.staff} />
      <nav className="cb-tabs" aria-label={t('customers.nav')}>
        {tabs.map((id) => (
          <button
            key={id}
            type="button"
            className={id === tab ? 'cb-tab is-active' : 'cb-tab'}
            aria-current={id === tab ? 'page' : undefined}
            data-testid={`customers-tab-${id}`}
            onClick={() => customers.getState().setTab(id)}
          >
            {t(`customers.tab.${id}`)}
          </button>
        ))}
      </nav>
      <CustomersMessageBar />
      <div className={selected && listing ? 'cb-body has-profile' : 'cb-body'}>
        {listing && <CustomerList />}
        {tab === 'tasks' && <TaskList />}
        {tab === 'results' && <ResultsPanel />}
        {selected && listing && <CustomerProfilePanel manager={manager} />}
      </div>
      <Watermark staff={session.staff} />
    </div>
  );
}
