import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../api/api-client.js';
import type { ApiError, Result } from '../../api/contract.js';
import type { SessionStoreState } from '../session/session-store.js';
import type {
  ContactChannel,
  ContactOutcome,
  CustomerPage,
  CustomerProfile,
  CustomerTag,
  CustomersTab,
  GuideView,
  RequestView,
  ResultsView,
  RevealPurpose,
  TaskPage,
} from './customers-types.js';
import { PAGE } from './customers-types.js';

export type CustomersMessage = { kind: 'error'; error: ApiError } | { kind: 'sent' } | undefined;

export type CustomersState = {
  tab: CustomersTab;
  query: string;
  tag: string | null;
  offset: number;
  page: CustomerPage | undefined;
  loading: boolean;
  tags: CustomerTag[];
  /** The profile open beside (landscape) or instead of (portrait) the list. */
  selectedId: string | null;
  profile: CustomerProfile | undefined;
  /** A number revealed for the open profile: shown until the profile closes. */
  revealed: { customerId: string; phone: string } | undefined;
  taskStatus: 'open' | 'done';
  tasks: TaskPage | undefined;
  results: ResultsView | undefined;
  requests: RequestView[];
  guides: GuideView[];
  message: CustomersMessage;

  setTab: (tab: CustomersTab) => void;
  search: (query: string) => void;
  setTag: (tag: string | null) => void;
  turn: (direction: 1 | -1) => void;
  open: (customerId: string) => void;
  close: () => void;
  /** Everything on screen again (after a sync round or a change). */
  refresh: () => Promise<void>;
  addNote: (body: string) => Promise<boolean>;
  addTag: (tag: string) => Promise<boolean>;
  removeTag: (tag: string) => Promise<boolean>;
  logContact: (channel: ContactChannel, outcome: ContactOutcome, note: string) => Promise<boolean>;
  setConsent: (consent: boolean) => Promise<boolean>;
  reveal: (reason: string, purpose: RevealPurpose) => Promise<boolean>;
  setTaskStatus: (status: 'open' | 'done') => void;
  completeTask: (taskId: string, channel: ContactChannel, outcome: ContactOutcome, note: string) => Promise<boolean>;
  snoozeTask: (taskId: string, days: number) => Promise<boolean>;
  newMember: (name: string, phone: string, consent: boolean) => Promise<boolean>;
  bind: (memberCode: string) => Promise<boolean>;
  assign: (customerId: string, guideId: string | null) => Promise<boolean>;
  loadGuides: () => Promise<void>;
  guideQr: () => Promise<{ payload: string; svg: string } | undefined>;
  dismissMessage: () => void;
};

/**
 * The customer book's screens: the list (one page at a time, of the tab's scope), the open
 * profile, tasks, results and this staff member's pending requests. Main holds the book; this
 * asks for one page or one customer at a time and asks again after every sync round, so HQ's
 * decisions (a binding, a transfer) show as they arrive.
 */
export function createCustomersStore(api: Api, session: StoreApi<SessionStoreState>): StoreApi<CustomersState> {
  const store = createStore<CustomersState>()((set, get) => {
    const fail = (error: ApiError) => set({ message: { kind: 'error', error }, loading: false });
    const done = async <T>(result: Result<T>, after: (value: T) => void | Promise<void> = () => undefined): Promise<boolean> => {
      if (!result.ok) {
        fail(result.error);
        return false;
      }
      await after(result.value);
      return true;
    };
    const loadList = async () => {
      const { tab, query, tag, offset } = get();
      if (tab !== 'mine' && tab !== 'store' && tab !== 'pool') return;
      set({ loading: true });
      const result = await api.call('customers', 'list', { scope: tab, query, ...(tag ? { tag } : {}), offset, limit: PAGE });
      if (get().tab !== tab) return;
      if (result.ok) set({ page: result.value, loading: false });
      else fail(result.error);
    };
    const loadProfile = async () => {
      const id = get().selectedId;
      if (!id) return;
      const result = await api.call('customers', 'profile', { customerId: id });
      if (get().selectedId !== id) return;
      if (result.ok) set({ profile: result.value });
      else {
        // The customer left this staff member's book (moved on by HQ): back to the list.
        set({ selectedId: null, profile: undefined });
        if (result.error.code !== 'NOT_FOUND') fail(result.error);
      }
    };
    const loadTasks = async () => {
      const result = await api.call('customers', 'tasks', { status: get().taskStatus, limit: 50 });
      if (result.ok) set({ tasks: result.value });
      else fail(result.error);
    };
    const loadSide = async () => {
      const [tags, requests] = await Promise.all([api.call('customers', 'tags', {}), api.call('customers', 'requests', {})]);
      if (tags.ok) set({ tags: tags.value.items });
      if (requests.ok) set({ requests: requests.value.items });
    };
    const selected = () => get().selectedId ?? '';

    return {
      tab: 'mine',
      query: '',
      tag: null,
      offset: 0,
      page: undefined,
      loading: false,
      tags: [],
      selectedId: null,
      profile: undefined,
      revealed: undefined,
      taskStatus: 'open',
      tasks: undefined,
      results: undefined,
      requests: [],
      guides: [],
      message: undefined,

      setTab: (tab) => {
        set({ tab, offset: 0, page: undefined, message: undefined });
        void get().refresh();
      },
      search: (query) => {
        set({ query: query.trim(), offset: 0 });
        void loadList();
      },
      setTag: (tag) => {
        set({ tag, offset: 0 });
        void loadList();
      },
      turn: (direction) => {
        set({ offset: Math.max(0, get().offset + direction * PAGE) });
        void loadList();
      },
      open: (customerId) => {
        set({ selectedId: customerId, profile: undefined, revealed: undefined, message: undefined });
        void loadProfile();
      },
      close: () => set({ selectedId: null, profile: undefined, revealed: undefined }),
      refresh: async () => {
        const { tab } = get();
        if (tab === 'tasks') await loadTasks();
        else if (tab === 'results') {
          const result = await api.call('customers', 'results', {});
          if (result.ok) set({ results: result.value });
          else fail(result.error);
        } else await loadList();
        await Promise.all([loadProfile(), loadSide()]);
      },
      addNote: async (body) => done(await api.call('customers', 'addNote', { customerId: selected(), body }), loadProfile),
      addTag: async (tag) => done(await api.call('customers', 'addTag', { customerId: selected(), tag }), loadProfile),
      removeTag: async (tag) => done(await api.call('customers', 'removeTag', { customerId: selected(), tag }), loadProfile),
      logContact: async (channel, outcome, note) =>
        done(await api.call('customers', 'logContact', { customerId: selected(), channel, outcome, note }), loadProfile),
      setConsent: async (consent) => done(await api.call('customers', 'setConsent', { customerId: selected(), consent }), loadProfile),
      reveal: async (reason, purpose) =>
        done(await api.call('customers', 'revealPhone', { customerId: selected(), reason, purpose }), (v) =>
          set({ revealed: { customerId: selected(), phone: v.phone } }),
        ),
      setTaskStatus: (taskStatus) => {
        set({ taskStatus, tasks: undefined });
        void loadTasks();
      },
      completeTask: async (taskId, channel, outcome, note) =>
        done(await api.call('customers', 'completeTask', { taskId, channel, outcome, note }), () => get().refresh()),
      snoozeTask: async (taskId, days) => done(await api.call('customers', 'snoozeTask', { taskId, days }), () => get().refresh()),
      newMember: async (name, phone, consent) =>
        done(await api.call('customers', 'newMember', { name, phone, consent }), async () => {
          set({ message: { kind: 'sent' } });
          await loadSide();
        }),
      bind: async (memberCode) =>
        done(await api.call('customers', 'bind', { memberCode }), async () => {
          set({ message: { kind: 'sent' } });
          await loadSide();
        }),
      assign: async (customerId, guideId) =>
        done(await api.call('customers', 'assign', { customerId, guideId }), async () => {
          set({ message: { kind: 'sent' } });
          await Promise.all([loadSide(), loadProfile()]);
        }),
      loadGuides: async () => {
        const result = await api.call('customers', 'guides', {});
        if (result.ok) set({ guides: result.value.items });
      },
      guideQr: async () => {
        const result = await api.call('customers', 'guideQr', {});
        return result.ok ? result.value : undefined;
      },
      dismissMessage: () => set({ message: undefined }),
    };
  });

  // A sync round may bring HQ's decisions, transfers and tasks: show them.
  let lastSync: string | null = null;
  api.on('sync.state', (sync) => {
    if (sync.lastSyncAt === lastSync) return;
    lastSync = sync.lastSyncAt;
    if (session.getState().session?.state === 'active') void store.getState().refresh();
  });
  // Someone else logs in (or nobody): nothing of the last staff member's book stays on screen.
  session.subscribe((state, previous) => {
    const who = state.session?.state === 'active' ? state.session.staff.id : null;
    const was = previous.session?.state === 'active' ? previous.session.staff.id : null;
    if (who === was) return;
    store.setState({
      tab: 'mine',
      query: '',
      tag: null,
      offset: 0,
      page: undefined,
      selectedId: null,
      profile: undefined,
      revealed: undefined,
      tasks: undefined,
      results: undefined,
      requests: [],
      message: undefined,
    });
    if (who) void store.getState().refresh();
  });
  return store;
}
