import { useEffect, useState } from 'react';
import { ConnectionBanner } from './ConnectionBanner.js';
import { NavTabs } from './NavTabs.js';
import { Splash } from './Splash.js';
import { StoreErrorScreen } from './StoreErrorScreen.js';
import { TopBar } from './TopBar.js';
import { ProvisioningOverlay } from '../features/sync/ProvisioningOverlay.js';
import { RevokedScreen } from '../features/sync/RevokedScreen.js';
import { SCREENS } from './screens.js';
import type { ScreenId } from './screens.js';
import { useApp } from './services.js';
import './app.css';

export function App() {
  const status = useApp((s) => s.status);
  const revoked = useApp((s) => s.sync?.hq === 'revoked');
  const language = useApp((s) => s.language);
  const [screen, setScreen] = useState<ScreenId>('lookup');
  const Active = (SCREENS.find((s) => s.id === screen) ?? SCREENS[0]).component;

  useEffect(() => {
    // Lets the browser pick CJK glyph variants and hyphenation for the language on screen.
    document.documentElement.lang = language;
  }, [language]);

  if (!status) return <Splash />;
  if (status.state === 'store_error') return <StoreErrorScreen problem={status.problem} appVersion={status.appVersion} />;
  // HQ revoked this device: nothing behind the notice may be used for sales.
  if (revoked) return <RevokedScreen />;
  return (
    <div className="app">
      <TopBar status={status} />
      <ConnectionBanner />
      <NavTabs active={screen} onSelect={setScreen} />
      <main className="content">
        <Active />
      </main>
      <ProvisioningOverlay />
    </div>
  );
}
