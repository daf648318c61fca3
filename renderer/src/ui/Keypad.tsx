import { useT } from '../app/services.js';
import './keypad.css';

type Props = {
  /** Called with a digit, '.', 'back' or 'clear'. */
  onKey: (key: string) => void;
  /** The amount keypad has a decimal point; the PIN keypad does not. */
  decimal?: boolean;
  testId?: string;
};

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** A 3×4 touch keypad: big keys for a finger, never the OS keyboard on a till. */
export function Keypad({ onKey, decimal = false, testId = 'keypad' }: Props) {
  const t = useT();
  return (
    <div className="co-keypad" data-testid={testId}>
      {DIGITS.map((d) => (
        <button key={d} type="button" className="co-key" data-key={d} onClick={() => onKey(d)}>
          {d}
        </button>
      ))}
      {decimal ? (
        <button type="button" className="co-key" data-key="." onClick={() => onKey('.')}>
          .
        </button>
      ) : (
        <button type="button" className="co-key co-key-muted" data-key="clear" onClick={() => onKey('clear')}>
          {t('ui.keypad.clear')}
        </button>
      )}
      <button type="button" className="co-key" data-key="0" onClick={() => onKey('0')}>
        0
      </button>
      <button type="button" className="co-key co-key-muted" data-key="back" aria-label={t('ui.keypad.back')} onClick={() => onKey('back')}>
        ⌫
      </button>
    </div>
  );
}
