import { useState } from 'react';
import type { InputHTMLAttributes } from 'react';
import './text-input.css';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> & {
  value: number;
  /** NaN when the text is not a whole number: main's validation then names this field. */
  onValue: (value: number) => void;
};

/** A whole-number field that keeps what is typed (an empty field is not silently 0). */
export function NumberInput({ value, onValue, className, ...rest }: Props) {
  const [text, setText] = useState(Number.isFinite(value) ? String(value) : '');
  // Follow a value changed from outside (profile reloaded, discarded), not our own NaN.
  const [seen, setSeen] = useState(value);
  if (seen !== value && !(Number.isNaN(seen) && Number.isNaN(value))) {
    setSeen(value);
    if (Number.isFinite(value) && String(value) !== text.trim()) setText(String(value));
  }
  return (
    <input
      {...rest}
      className={className ?? 'dv-input'}
      type="text"
      inputMode="numeric"
      autoComplete="off"
      value={text}
      onChange={(event) => {
        const next = event.target.value;
        setText(next);
        const trimmed = next.trim();
        onValue(/^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN);
      }}
    />
  );
}
