import { useEffect } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { LookupScreen } from './components/LookupScreen.js';
import { Splash } from './components/Splash.js';
import { StoreErrorScreen } from './components/StoreErrorScreen.js';
import { TopBar } from './components/TopBar.js';
import { useApp } from './state/services.js';

export function App() {
  const status = useApp((s) => s.status);
  const language = useApp((s) => s.language);

  useEffect(() => {
    // Lets the browser pick CJK glyph variants and hyphenation for the language on screen.
    document.documentElement.lang = language;
  }, [language]);

  if (!status) return <Splash />;
  if (status.state === 'store_error') return <StoreErrorScreen problem={status.problem} appVersion={status.appVersion} />;
  return (
    <div className="app">
      <TopBar status={status} />
      <ConnectionBanner />
      <main className="content">
        <LookupScreen />
      </main>
    </div>
  );
}
