import { useEffect, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useT } from '../../app/services.js';
import { Keypad } from '../../ui/Keypad.js';
import './pin-form.css';

const PIN_MAX = 8;

type Props = {
  /** Prefilled and fixed when unlocking a locked till: only the same person may continue. */
  fixedCode?: string;
  busy: boolean;
  /** The error to show under the form (wrong PIN, locked out …), already translated. */
  error: string | undefined;
  submitLabel: string;
  onSubmit: (code: string, pin: string) => void;
  /** Extra buttons beside submit (cancel in the approval dialog, log out on the lock screen). */
  children?: ReactNode;
  testPrefix: string;
};

/**
 * Staff code + PIN on a touch keypad. The PIN is never shown, only one dot per digit; a
 * physical keyboard works too (digits and Backspace while the form has focus).
 */
export function PinForm({ fixedCode, busy, error, submitLabel, onSubmit, children, testPrefix }: Props) {
  const t = useT();
  const [code, setCode] = useState(fixedCode ?? '');
  const [pin, setPin] = useState('');
  const dots = useRef<HTMLDivElement>(null);

  // Unlocking: the code is known, so a keyboard's digits go straight to the PIN.
  useEffect(() => {
    if (fixedCode !== undefined) dots.current?.focus();
  }, [fixedCode]);

  const key = (k: string) => {
    if (k === 'clear') setPin('');
    else if (k === 'back') setPin((p) => p.slice(0, -1));
    else if (/^\d$/.test(k)) setPin((p) => (p.length >= PIN_MAX ? p : p + k));
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (busy || !code.trim() || pin.length === 0) return;
    onSubmit(code.trim(), pin);
    setPin(''); // a PIN is typed fresh each time, never kept in the page
  };

  return (
    <form className="co-pin-form" onSubmit={submit} data-testid={`${testPrefix}-form`}>
      <div className="co-pin-fields">
        <label className="co-field">
          <span className="co-field-label">{t('session.login.code')}</span>
          <input
            className="co-input co-input-code"
            data-testid={`${testPrefix}-code`}
            value={code}
            readOnly={fixedCode !== undefined}
            onChange={(e) => setCode(e.target.value.toUpperCase())}
            placeholder={t('session.login.codePlaceholder')}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            autoFocus={fixedCode === undefined}
          />
        </label>
        <div className="co-field">
          <span className="co-field-label">{t('session.login.pin')}</span>
          <div
            ref={dots}
            className="co-pin-dots"
            data-testid={`${testPrefix}-pin`}
            data-length={pin.length}
            tabIndex={0}
            aria-label={t('session.login.pinEntered', { count: pin.length })}
            onKeyDown={(e) => {
              if (/^\d$/.test(e.key)) key(e.key);
              else if (e.key === 'Backspace') key('back');
              else if (e.key === 'Enter') submit();
              else return;
              e.preventDefault();
            }}
          >
            {pin.length === 0 ? <span className="co-pin-empty">{t('session.login.pinHint')}</span> : '●'.repeat(pin.length)}
          </div>
        </div>
      </div>
      <Keypad onKey={key} testId={`${testPrefix}-keypad`} />
      {error && (
        <p className="co-form-error" role="alert" data-testid={`${testPrefix}-error`}>
          {error}
        </p>
      )}
      <div className="co-form-actions">
        {children}
        <button
          type="submit"
          className="button-primary co-grow"
          data-testid={`${testPrefix}-submit`}
          disabled={busy || !code.trim() || pin.length === 0}
        >
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
