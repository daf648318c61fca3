import { isMessageKey } from '../i18n/translate.js';
import { useT } from './services.js';
import type { StoreProblem } from '../api/contract.js';
import '../ui/notice-screen.css';

type Props = { problem: StoreProblem; appVersion: string };

/**
 * The local store did not open. Nothing else is usable, so this is the whole screen: what
 * happened, which file, and what to do — above all, not to reinstall (the unsynced outbox
 * lives in that file).
 */
export function StoreErrorScreen({ problem, appVersion }: Props) {
  const t = useT();
  const reasonKey = `app.storeError.reason.${problem.reason}`;
  return (
    <main className="store-error" data-testid="store-error" data-reason={problem.reason} role="alert">
      <div className="store-error-panel">
        <div className="store-error-icon" aria-hidden="true">
          !
        </div>
        <h1>{t('app.storeError.title')}</h1>
        <p className="store-error-reason">
          {isMessageKey(reasonKey) ? t(reasonKey as `app.storeError.reason.${StoreProblem['reason']}`) : problem.message}
        </p>
        <div className="store-error-file">
          <span>{t('app.storeError.file')}</span>
          <code data-testid="store-error-path">{problem.path}</code>
        </div>
        <ol className="store-error-steps">
          <li>{t('app.storeError.callIt')}</li>
          <li>{t('app.storeError.dontReinstall')}</li>
          <li>{t('app.storeError.untouched')}</li>
        </ol>
        <section className="store-error-details">
          <h2>{t('app.storeError.details')}</h2>
          <pre>
            {problem.reason}: {problem.message}
            {'\n'}
            {t('app.version', { version: appVersion })}
          </pre>
        </section>
      </div>
    </main>
  );
}
