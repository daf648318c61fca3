import { useCallback, useEffect, useMemo, useState } from 'react';
import { FinanceLists } from './FinanceLists.js';
import { createTranslate } from './i18n/translate.js';
import type { Language } from './i18n/translate.js';
import { logout } from './api.js';
import { loadSession, mayWorkFinanceLists, saveSession, signOut } from './session.js';
import type { Session } from './session.js';
import { SignIn } from './SignIn.js';

const LANGUAGE_KEY = 'shopfloor.console.language';

function firstLanguage(): Language {
  const chosen = sessionStorage.getItem(LANGUAGE_KEY);
  if (chosen === 'en' || chosen === 'zh-CN') return chosen;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** The finance console: sign in with an HQ admin account (finance or owner), then the two lists finance works through. */
export function App() {
  const [language, setLanguage] = useState<Language>(firstLanguage);
  const [session, setSession] = useState<Session | null>(() => loadSession(sessionStorage, new Date()));
  const [expired, setExpired] = useState(false);
  // Set when the last sign-out did not reach HQ: until when the token still works there.
  const [validAtHqUntil, setValidAtHqUntil] = useState<string | null>(null);
  const t = useMemo(() => createTranslate(language), [language]);
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t('app.title');
  }, [language, t]);

  const switchLanguage = () => {
    const next = language === 'zh-CN' ? 'en' : 'zh-CN';
    sessionStorage.setItem(LANGUAGE_KEY, next);
    setLanguage(next);
  };
  const signedIn = useCallback((next: Session | null, sessionEnded = false) => {
    saveSession(sessionStorage, next);
    setSession(next);
    setExpired(sessionEnded);
    setValidAtHqUntil(null);
  }, []);
  // Sign-out ends the token at HQ too (a copy left on a shared PC stops working); best effort.
  const signOutHere = async (ending: Session) => {
    setSession(null);
    setExpired(false);
    const outcome = await signOut(sessionStorage, ending, logout);
    setValidAtHqUntil(outcome === 'local-only' ? ending.expiresAt : null);
  };
  // HQ no longer knows the token (expired, a new password): back to sign-in, saying why.
  const sessionEnded = useCallback(() => signedIn(null, true), [signedIn]);

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Shopfloor</span>
        <span className="topbar-title">{t('app.title')}</span>
        <span className="spacer" />
        {session && <span className="who">{t('app.signedInAs', { name: session.name })}</span>}
        <button type="button" className="link" onClick={switchLanguage} lang={language === 'zh-CN' ? 'en' : 'zh-CN'}>
          {t('app.language')}
        </button>
        {session && (
          <button type="button" className="link" onClick={() => void signOutHere(session)}>
            {t('app.signOut')}
          </button>
        )}
      </header>
      <main className="content">
        {session && !mayWorkFinanceLists(session.role) ? (
          // IT's or operations' account: HQ would refuse every list; say so instead of showing errors.
          <p className="notice" role="alert">
            {t('access.notFinance', { name: session.name, role: session.role })}
          </p>
        ) : session ? (
          <FinanceLists t={t} language={language} session={session} onSessionEnded={sessionEnded} />
        ) : (
          <>
            {validAtHqUntil && (
              <p className="notice" role="status">
                {t('signIn.signedOutLocally', { expiresAt: new Date(validAtHqUntil).toLocaleString(language) })}
              </p>
            )}
            <SignIn t={t} expired={expired} onSignedIn={(next) => signedIn(next)} />
          </>
        )}
      </main>
    </div>
  );
}
