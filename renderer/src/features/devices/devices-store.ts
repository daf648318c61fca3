import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../api/api-client.js';
import type { ApiError } from '../../api/contract.js';
import { fieldErrorsOf } from '../../ui/field-errors.js';
import type { FieldErrors } from '../../ui/field-errors.js';
import type { DeviceProfile, DevicesStatus, DrawerStatus, HidDeviceInfo, PrintJobView, SerialPortInfo } from './devices-types.js';

/** How many jobs the queue shows; older ones stay in the store's history. */
export const QUEUE_LIMIT = 30;

/** What the last action did, kept as data so it re-renders in the language on screen. */
export type DevicesNotice =
  | { kind: 'error'; error: ApiError; action: DevicesAction }
  | { kind: 'test-queued'; jobId: string }
  | { kind: 'reprint-queued'; jobId: string }
  | { kind: 'drawer-opened' }
  /** The kick left but was not confirmed in time: the drawer may have opened. */
  | { kind: 'drawer-uncertain' }
  | { kind: 'profile-saved' };

export type DevicesAction = 'load' | 'save' | 'test-print' | 'retry' | 'cancel' | 'reprint' | 'drawer' | 'ports' | 'hid';

export type DevicesState = {
  status: DevicesStatus | undefined;
  jobs: PrintJobView[];
  /** The profile as main has it. */
  saved: DeviceProfile | undefined;
  /** The profile being edited; equals `saved` until the user changes something. */
  draft: DeviceProfile | undefined;
  dirty: boolean;
  /** BAD_INPUT problems of the last save, keyed by path in the profile (`printer.connection.port`). */
  fieldErrors: FieldErrors;
  serialPorts: SerialPortInfo[] | undefined;
  hidDevices: HidDeviceInfo[] | undefined;
  /** Why this machine cannot list or read USB-HID devices at all (main names what is missing, e.g. libusb-1.0). */
  hidUnavailable: string | undefined;
  /** Actions under way, so their buttons show it and cannot be pressed twice. */
  busy: Partial<Record<DevicesAction | `job:${string}`, true>>;
  notice: DevicesNotice | undefined;
  load: () => Promise<void>;
  refreshStatus: () => Promise<void>;
  editProfile: (update: (draft: DeviceProfile) => DeviceProfile, touched?: string[]) => void;
  discardProfile: () => void;
  saveProfile: () => Promise<void>;
  testPrint: () => Promise<void>;
  retryJob: (jobId: string) => Promise<void>;
  cancelJob: (jobId: string) => Promise<void>;
  reprint: (jobId: string) => Promise<void>;
  openDrawer: (reason: string) => Promise<boolean>;
  listSerialPorts: () => Promise<void>;
  listHid: () => Promise<void>;
  dismissNotice: () => void;
};

/** Newest first, one entry per job id (events may arrive before or after the list answer). */
export function upsertJob(jobs: readonly PrintJobView[], job: PrintJobView): PrintJobView[] {
  const others = jobs.filter((j) => j.id !== job.id);
  const existing = jobs.find((j) => j.id === job.id);
  // An older event arriving late must not move a job back (e.g. `sending` after `done`).
  if (existing && existing.updatedAt > job.updatedAt) return [...jobs];
  return [job, ...others]
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1))
    .slice(0, QUEUE_LIMIT);
}

/**
 * The Device settings screen's state: live status and print queue (from `devices.status` /
 * `devices.job`), the editable peripheral profile, and the hardware tests. Once the screen has
 * been opened, reloads everything on every reconnect, because events sent while disconnected
 * are lost.
 */
export function createDevicesStore(api: Api): StoreApi<DevicesState> {
  // Nothing is asked of main until the screen first opens (a refresh queries the printer).
  let opened = false;
  const store = createStore<DevicesState>()((set, get) => {
    const begin = (key: DevicesAction | `job:${string}`) => set({ busy: { ...get().busy, [key]: true }, notice: undefined });
    const end = (key: DevicesAction | `job:${string}`) => {
      const busy = { ...get().busy };
      delete busy[key];
      set({ busy });
    };
    const jobAction = async (action: 'retry' | 'cancel' | 'reprint', jobId: string) => {
      const key = `job:${jobId}` as const;
      if (get().busy[key]) return;
      begin(key);
      const method = action === 'retry' ? 'retryJob' : action === 'cancel' ? 'cancelJob' : 'reprint';
      const result = await api.call('devices', method, { jobId });
      end(key);
      if (!result.ok) {
        set({ notice: { kind: 'error', error: result.error, action } });
        return;
      }
      set({ jobs: upsertJob(get().jobs, result.value) });
      if (action === 'reprint') set({ notice: { kind: 'reprint-queued', jobId: result.value.id } });
    };

    return {
      status: undefined,
      jobs: [],
      saved: undefined,
      draft: undefined,
      dirty: false,
      fieldErrors: {},
      serialPorts: undefined,
      hidDevices: undefined,
      hidUnavailable: undefined,
      busy: {},
      notice: undefined,

      load: async () => {
        opened = true;
        const [status, jobs, profile] = await Promise.all([
          api.call('devices', 'status', { refresh: true }),
          api.call('devices', 'jobs', { limit: QUEUE_LIMIT }),
          api.call('devices', 'profile', {}),
        ]);
        if (status.ok) set({ status: status.value });
        if (jobs.ok) {
          let merged: PrintJobView[] = [];
          // Keep what events told us meanwhile when it is newer than the list.
          for (const job of [...jobs.value, ...get().jobs]) merged = upsertJob(merged, job);
          set({ jobs: merged });
        }
        if (profile.ok) {
          set({ saved: profile.value });
          if (!get().dirty) set({ draft: profile.value });
        }
        const failed = [status, jobs, profile].find((r) => !r.ok);
        if (failed && !failed.ok) set({ notice: { kind: 'error', error: failed.error, action: 'load' } });
      },

      refreshStatus: async () => {
        const result = await api.call('devices', 'status', { refresh: true });
        if (result.ok) set({ status: result.value });
      },

      editProfile: (update, touched = []) => {
        const draft = get().draft;
        if (!draft) return;
        const fieldErrors = { ...get().fieldErrors };
        for (const path of touched) delete fieldErrors[path];
        set({ draft: update(draft), dirty: true, fieldErrors });
      },

      discardProfile: () => set({ draft: get().saved, dirty: false, fieldErrors: {} }),

      saveProfile: async () => {
        const draft = get().draft;
        if (!draft || get().busy.save) return;
        begin('save');
        const result = await api.call('devices', 'saveProfile', draft);
        end('save');
        if (!result.ok) {
          const fieldErrors = fieldErrorsOf(result.error);
          set({ fieldErrors, notice: { kind: 'error', error: result.error, action: 'save' } });
          return;
        }
        set({ saved: result.value, draft: result.value, dirty: false, fieldErrors: {}, notice: { kind: 'profile-saved' } });
        void get().refreshStatus();
      },

      testPrint: async () => {
        if (get().busy['test-print']) return;
        begin('test-print');
        const result = await api.call('devices', 'testPrint', {});
        end('test-print');
        if (!result.ok) {
          set({ notice: { kind: 'error', error: result.error, action: 'test-print' } });
          return;
        }
        set({ jobs: upsertJob(get().jobs, result.value), notice: { kind: 'test-queued', jobId: result.value.id } });
      },

      retryJob: (jobId) => jobAction('retry', jobId),
      cancelJob: (jobId) => jobAction('cancel', jobId),
      reprint: (jobId) => jobAction('reprint', jobId),

      openDrawer: async (reason) => {
        if (get().busy.drawer) return false;
        begin('drawer');
        const result = await api.call('devices', 'openDrawer', { reason });
        end('drawer');
        if (!result.ok) {
          set({ notice: { kind: 'error', error: result.error, action: 'drawer' } });
          return false;
        }
        const { uncertain, ...drawer }: DrawerStatus & { uncertain?: true } = result.value;
        const status = get().status;
        set({ notice: { kind: uncertain ? 'drawer-uncertain' : 'drawer-opened' }, ...(status ? { status: { ...status, drawer } } : {}) });
        return true;
      },

      listSerialPorts: async () => {
        begin('ports');
        const result = await api.call('devices', 'listSerialPorts', {});
        end('ports');
        if (result.ok) set({ serialPorts: result.value });
        else set({ notice: { kind: 'error', error: result.error, action: 'ports' } });
      },

      listHid: async () => {
        begin('hid');
        const result = await api.call('devices', 'listHid', {});
        end('hid');
        if (result.ok) set({ hidDevices: result.value, hidUnavailable: undefined });
        // The HID stack itself is missing: said where the list would be, not as a passing banner.
        else if (result.error.code === 'DEVICE_UNAVAILABLE') set({ hidDevices: undefined, hidUnavailable: result.error.message });
        else set({ notice: { kind: 'error', error: result.error, action: 'hid' } });
      },

      dismissNotice: () => set({ notice: undefined }),
    };
  });

  api.on('devices.status', (status) => store.setState({ status }));
  api.on('devices.job', (job) => store.setState({ jobs: upsertJob(store.getState().jobs, job) }));
  api.onOpen(() => {
    if (opened) void store.getState().load();
  });
  return store;
}
