import { useApp, useServices, useT } from './services.js';
import './language-switch.css';

/** One toggle: it names the language it switches to, written in that language. */
export function LanguageSwitch() {
  const t = useT();
  const { app } = useServices();
  const language = useApp((s) => s.language);
  const next = language === 'en' ? 'zh-CN' : 'en';
  return (
    <button
      type="button"
      className="button-ghost lang-switch"
      data-testid="lang-switch"
      data-lang={language}
      lang={next}
      aria-label={t('app.lang.switchLabel')}
      onClick={() => void app.getState().setLanguage(next)}
    >
      {t('app.lang.switchTo')}
    </button>
  );
}
