import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../api/api-client.js';
import type { ApiError, Language, Settings, SyncState, SystemStatus } from '../api/contract.js';

export type Connection = 'connecting' | 'open' | 'disconnected';

export type AppState = {
  connection: Connection;
  /** The last status main reported; undefined until the first answer. */
  status: SystemStatus | undefined;
  statusError: ApiError | undefined;
  settings: Settings | undefined;
  sync: SyncState | undefined;
  /** Applied at once on a switch; main's settings confirm it (or a later settings.changed overrides it). */
  language: Language;
  languageError: ApiError | undefined;
  setLanguage: (language: Language) => Promise<void>;
  dismissLanguageError: () => void;
};

const LANGUAGE_HINT_KEY = 'shopfloor.language';

/** Only a hint for the first paint (and for the store-error screen, when settings cannot be read). */
type HintStorage = Pick<Storage, 'getItem' | 'setItem'>;

function readHint(storage: HintStorage | undefined): Language {
  try {
    return storage?.getItem(LANGUAGE_HINT_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

function writeHint(storage: HintStorage | undefined, language: Language): void {
  try {
    storage?.setItem(LANGUAGE_HINT_KEY, language);
  } catch {
    // Storage disabled: the next start paints in Chinese until settings arrive.
  }
}

/**
 * Connection, terminal status, settings and HQ sync state. Reloads the status on every
 * (re)connect, because events sent while disconnected are lost.
 */
export function createAppStore(api: Api, storage?: HintStorage): StoreApi<AppState> {
  const store = createStore<AppState>()((set, get) => ({
    connection: api.isOpen() ? 'open' : 'connecting',
    status: undefined,
    statusError: undefined,
    settings: undefined,
    sync: undefined,
    language: readHint(storage),
    languageError: undefined,
    setLanguage: async (language) => {
      if (language === get().language) return;
      set({ language, languageError: undefined });
      writeHint(storage, language);
      const result = await api.call('settings', 'update', { language });
      if (result.ok) applySettings(result.value);
      else set({ languageError: result.error });
    },
    dismissLanguageError: () => set({ languageError: undefined }),
  }));

  const applySettings = (settings: Settings) => {
    store.setState({ settings, language: settings.language });
    writeHint(storage, settings.language);
  };

  const loadStatus = async () => {
    const result = await api.call('system', 'status', {});
    if (!result.ok) {
      store.setState({ statusError: result.error });
      return;
    }
    const status = result.value;
    store.setState({ status, statusError: undefined });
    if (status.state === 'ready') {
      store.setState({ sync: status.sync });
      applySettings(status.settings);
    }
  };

  api.onOpen(() => {
    store.setState({ connection: 'open' });
    void loadStatus();
  });
  api.onClose(() => store.setState({ connection: 'disconnected' }));
  api.on('settings.changed', applySettings);
  api.on('sync.state', (sync) => {
    const wasProvisioning = store.getState().sync?.provisioning?.phase === 'running';
    store.setState({ sync });
    // A fresh device learns its store (name, code) from HQ's provisioning: read the status again.
    if (wasProvisioning && sync.provisioning?.phase !== 'running') void loadStatus();
  });
  if (api.isOpen()) void loadStatus();

  return store;
}
