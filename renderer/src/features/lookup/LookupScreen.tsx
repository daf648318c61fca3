import { useEffect } from 'react';
import { describeError } from '../../i18n/describe-error.js';
import { useApp, useServices, useT } from '../../app/services.js';
import { useLookup } from './lookup-hooks.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { ProductCard } from './ProductCard.js';
import { ScanFlash } from './ScanFlash.js';
import { SearchBox } from './SearchBox.js';
import { SearchResults } from './SearchResults.js';
import { messageText, messageTone } from './lookup-message-text.js';
import './lookup.css';

export function LookupScreen() {
  const t = useT();
  const { api, app, lookup } = useServices();
  const view = useLookup((s) => s.view);
  const busy = useLookup((s) => s.busy);
  const message = useLookup((s) => s.message);
  const hasResults = useLookup((s) => s.results !== undefined);
  const languageError = useApp((s) => s.languageError);

  // Every scanner (wedge today, serial and HID later) reaches this screen the same way: the event.
  useEffect(() => api.on('scanned', (event) => void lookup.getState().handleScan(event)), [api, lookup]);

  const actions = lookup.getState();
  const banner = message
    ? { tone: messageTone(message), text: messageText(t, message), dismiss: actions.dismissMessage }
    : languageError
      ? {
          tone: 'error' as const,
          text: t('app.lang.saveFailed', { reason: describeError(t, languageError) }),
          dismiss: app.getState().dismissLanguageError,
        }
      : undefined;

  return (
    <section className="lookup" aria-label={t('lookup.search.label')}>
      <div className="lookup-bar">
        <SearchBox busy={busy} onSubmit={(query) => void actions.lookup(query)} />
        <ScanFlash />
      </div>
      {banner && <MessageBanner tone={banner.tone} text={banner.text} onDismiss={banner.dismiss} />}

      {view.kind === 'empty' && !banner && <p className="lookup-hint">{t('lookup.search.hint')}</p>}
      {view.kind === 'results' && view.styles.length > 0 && (
        <SearchResults styles={view.styles} truncated={view.truncated} onOpen={(code) => void actions.openStyle(code)} />
      )}
      {view.kind === 'product' && (
        <>
          {view.fromResults && hasResults && (
            <button type="button" className="button-ghost back" onClick={actions.backToResults}>
              ← {t('lookup.results.back')}
            </button>
          )}
          <ProductCard style={view.style} skuCode={view.sku} onSelectSku={actions.selectSku} />
        </>
      )}
    </section>
  );
}
