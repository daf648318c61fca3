import { useRef } from 'react';
import type { FormEvent } from 'react';
import { useT } from '../../app/services.js';
import './search-box.css';

type Props = { busy: boolean; onSubmit: (query: string) => void };

/**
 * Uncontrolled on purpose: the query is read from the field when the form submits, so keys the
 * wedge detector replays just before an Enter are always part of it.
 */
export function SearchBox({ busy, onSubmit }: Props) {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const field = input.current;
    if (!field || !field.value.trim()) return;
    onSubmit(field.value);
    // Selected, so the next thing typed replaces the old query.
    field.select();
  };

  const clear = () => {
    const field = input.current;
    if (!field) return;
    field.value = '';
    field.focus();
  };

  return (
    <form className="search" role="search" onSubmit={submit}>
      <input
        ref={input}
        className="search-input"
        data-testid="search-input"
        type="search"
        name="query"
        placeholder={t('lookup.search.placeholder')}
        aria-label={t('lookup.search.label')}
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize="off"
        spellCheck={false}
        enterKeyHint="search"
        autoFocus
      />
      <button type="button" className="search-clear" onClick={clear} aria-label={t('lookup.search.clear')}>
        ×
      </button>
      <button type="submit" className="button-primary search-submit" aria-busy={busy}>
        {busy ? t('lookup.search.busy') : t('lookup.search.submit')}
      </button>
    </form>
  );
}
