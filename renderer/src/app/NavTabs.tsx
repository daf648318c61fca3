import { SCREENS } from './screens.js';
import type { ScreenId } from './screens.js';
import { useT } from './services.js';
import './nav-tabs.css';

type Props = { active: ScreenId; onSelect: (id: ScreenId) => void };

/** The terminal's screens as large tabs (touch targets), hidden while there is only one. */
export function NavTabs({ active, onSelect }: Props) {
  const t = useT();
  if (SCREENS.length < 2) return null;
  return (
    <nav className="nav-tabs" aria-label={t('app.nav.label')}>
      {SCREENS.map((screen) => (
        <button
          key={screen.id}
          type="button"
          className={screen.id === active ? 'nav-tab nav-tab-active' : 'nav-tab'}
          aria-current={screen.id === active ? 'page' : undefined}
          data-testid={`nav-${screen.id}`}
          onClick={() => onSelect(screen.id)}
        >
          {t(screen.label)}
        </button>
      ))}
    </nav>
  );
}
