import { useT } from '../app/services.js';
import './message-banner.css';

/** Errors ask for attention (role=alert); information is announced politely. */
export type Tone = 'error' | 'info';

type Props = { tone: Tone; text: string; onDismiss: () => void };

export function MessageBanner({ tone, text, onDismiss }: Props) {
  const t = useT();
  return (
    <div className={`message message-${tone}`} data-testid="message" data-tone={tone} role={tone === 'error' ? 'alert' : 'status'}>
      <span className="message-icon" aria-hidden="true">
        {tone === 'error' ? '!' : 'i'}
      </span>
      <p className="message-text">{text}</p>
      <button type="button" className="message-dismiss" onClick={onDismiss} aria-label={t('ui.message.dismiss')}>
        ×
      </button>
    </div>
  );
}
