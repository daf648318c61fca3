import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Resolution } from '../../sync/protocol/finance.js';
import { HqRefusal, resolveRow } from './api.js';
import type { ListKind } from './api.js';
import type { Item } from './FinanceLists.js';
import { describeFailure, formatWhen, zoneLabel } from './format.js';
import type { Language, Translate } from './i18n/translate.js';

/** A row's last column: who resolved it, when and how; or the button and the form to resolve it. */
export function ResolveCell({
  t,
  language,
  kind,
  item,
  token,
  timeZone,
  onResolved,
  onResolvedElsewhere,
}: {
  t: Translate;
  language: Language;
  kind: ListKind;
  item: Item;
  token: string;
  /** The row's store's zone: when it was resolved is told at the store's clock, like the row. */
  timeZone: string;
  onResolved: (id: string, resolution: Resolution) => void;
  /** HQ refused because the row was resolved meanwhile (another admin, another tab): read it again. */
  onResolvedElsewhere: (item: Item) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (item.resolvedAt) {
    return (
      <div className="resolution">
        <div>{item.resolution}</div>
        <div className="sub">
          {t('row.resolvedBy', {
            who: item.resolvedBy ?? '—',
            when: `${formatWhen(item.resolvedAt, language, timeZone)} ${zoneLabel(item.resolvedAt, timeZone)}`,
          })}
        </div>
      </div>
    );
  }
  if (!editing) {
    return (
      <button type="button" onClick={() => setEditing(true)}>
        {t('row.resolve')}
      </button>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await resolveRow(token, kind, item.id, text);
      onResolved(item.id, answer);
    } catch (failure) {
      setError(describeFailure(failure, t));
      setBusy(false);
      // Resolved by someone else first: the row (and the list) as HQ has it now, with who did it.
      if (failure instanceof HqRefusal && failure.status === 409) onResolvedElsewhere(item);
    }
  };
  return (
    <form className="resolve" onSubmit={(event) => void submit(event)}>
      <label>
        <span className="sr-only">{t('resolve.label')}</span>
        <textarea
          name="resolution"
          required
          maxLength={500}
          rows={2}
          placeholder={t('resolve.placeholder')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoFocus
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || text.trim() === ''}>
          {busy ? t('resolve.busy') : t('resolve.save')}
        </button>
        <button type="button" onClick={() => setEditing(false)} disabled={busy}>
          {t('resolve.cancel')}
        </button>
      </div>
    </form>
  );
}
