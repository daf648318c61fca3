import { useCallback, useEffect, useState } from 'react';
import type { ApiError, DeadLetterView } from '../../api/contract.js';
import { describeError } from '../../i18n/describe-error.js';
import { useApp, useServices, useT, useStoreTimeZone } from '../../app/services.js';
import { formatStoreTime } from '../../ui/format/event-time.js';
import { syncText } from './sync-text.js';
import { DeadLetterList } from './DeadLetterList.js';
import './sync-screen.css';

/** The sync screen: how this device stands with HQ, a "sync now" button and the dead-letter list. */
export function SyncScreen() {
  const t = useT();
  const { api, app } = useServices();
  const sync = useApp((s) => s.sync);
  const language = useApp((s) => s.language);
  const timeZone = useStoreTimeZone();
  const [deadLetters, setDeadLetters] = useState<DeadLetterView[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const loadDeadLetters = useCallback(async () => {
    const result = await api.call('sync', 'deadLetters', { limit: 100 });
    if (result.ok) setDeadLetters(result.value.items);
    else setError(result.error);
  }, [api]);

  // Fresh list on open and whenever the count changes (a push rejected something, or IT resolved one).
  const deadLetterCount = sync?.deadLetters;
  useEffect(() => {
    let current = true;
    void api.call('sync', 'deadLetters', { limit: 100 }).then((result) => {
      if (!current) return;
      if (result.ok) setDeadLetters(result.value.items);
      else setError(result.error);
    });
    return () => {
      current = false;
    };
  }, [api, deadLetterCount]);

  const syncNow = async () => {
    setBusy(true);
    setError(null);
    const result = await api.call('sync', 'syncNow', {});
    setBusy(false);
    if (result.ok) app.setState({ sync: result.value });
    else setError(result.error);
    await loadDeadLetters();
  };

  if (!sync) return null;
  return (
    <section className="sync-screen" aria-label={t('sync.screen.title')} data-testid="sync-screen">
      <div className="sync-head">
        <h1>{t('sync.screen.title')}</h1>
        <button
          type="button"
          className="button-primary"
          onClick={() => void syncNow()}
          disabled={busy || sync.hq === 'not_configured' || sync.hq === 'revoked'}
          data-testid="sync-now"
        >
          {busy ? t('sync.screen.syncing') : t('sync.screen.syncNow')}
        </button>
      </div>
      {error && (
        <p className="message message-error" role="alert" data-testid="sync-error">
          {t('sync.screen.failed', { reason: describeError(t, error) })}
        </p>
      )}
      <dl className="sync-facts">
        <div className="sync-fact">
          <dt>{t('sync.screen.hq')}</dt>
          <dd data-testid="sync-hq" data-hq={sync.hq}>
            {t(`sync.hq.${sync.hq}`)}
            <div className="sync-muted">{syncText(t, sync)}</div>
          </dd>
        </div>
        <div className="sync-fact">
          <dt>{t('sync.screen.pending')}</dt>
          <dd className="sync-number" data-testid="sync-pending">
            {sync.pendingEvents.toLocaleString(language)}
          </dd>
        </div>
        <div className="sync-fact">
          <dt>{t('sync.screen.lastSync')}</dt>
          <dd data-testid="sync-last">{sync.lastSyncAt ? formatStoreTime(sync.lastSyncAt, timeZone, language) : t('sync.neverSynced')}</dd>
        </div>
        <div className="sync-fact">
          <dt>{t('sync.screen.deadLetterCount')}</dt>
          <dd className={`sync-number ${sync.deadLetters > 0 ? 'sync-warn' : ''}`} data-testid="sync-dead-count">
            {sync.deadLetters.toLocaleString(language)}
          </dd>
        </div>
        {sync.live !== undefined && (
          <div className="sync-fact">
            <dt>{t('sync.screen.live')}</dt>
            <dd data-testid="sync-live" data-live={sync.live}>
              {t(sync.live ? 'sync.live.up' : 'sync.live.down')}
            </dd>
          </div>
        )}
        {sync.deviceClock && (
          <div className="sync-fact">
            <dt>{t('sync.screen.clock')}</dt>
            <dd className={sync.deviceClock.off ? 'sync-warn' : ''} data-testid="sync-clock" data-off={sync.deviceClock.off}>
              {sync.deviceClock.off
                ? t(sync.deviceClock.offsetMs > 0 ? 'sync.clock.behind' : 'sync.clock.ahead', {
                    minutes: Math.round(Math.abs(sync.deviceClock.offsetMs) / 60_000).toLocaleString(language),
                  })
                : t('sync.clock.right')}
            </dd>
          </div>
        )}
        {sync.lastError && (
          <div className="sync-fact sync-fact-wide">
            <dt>{t('sync.screen.lastError')}</dt>
            <dd data-testid="sync-last-error">
              <span className="mono">{sync.lastError.code}</span> <span className="sync-muted">{sync.lastError.message}</span>
            </dd>
          </div>
        )}
      </dl>
      <section className="sync-card">
        <h2>{t('sync.screen.deadLetters')}</h2>
        <p className="sync-muted">{t('sync.screen.deadLettersHint')}</p>
        {deadLetters ? (
          <DeadLetterList items={deadLetters} timeZone={timeZone} />
        ) : (
          <p className="sync-empty">{t('sync.screen.loading')}</p>
        )}
      </section>
    </section>
  );
}
