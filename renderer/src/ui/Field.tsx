import type { ReactNode } from 'react';
import { useId } from 'react';
import { LOCAL_NOT_A_NUMBER } from './field-errors.js';
import { useT } from '../app/services.js';
import './field.css';

type Props = {
  label: string;
  /** What a valid value looks like (`5–200 ms`); shown under the field and in its error. */
  hint?: string;
  /** The problem main (or the form) found with this field, if any. */
  error?: string | undefined;
  /** Key for data-testid="field-<name>" and for locating its error in tests. */
  name: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string }) => ReactNode;
};

/** A labelled form field whose validation message sits right under it, not in a banner far away. */
export function Field({ label, hint, error, name, children }: Props) {
  const t = useT();
  const id = useId();
  const describedBy = `${id}-note`;
  const message =
    error === undefined
      ? undefined
      : error === LOCAL_NOT_A_NUMBER
        ? t('ui.field.notANumber')
        : hint
          ? t('ui.field.invalidHint', { hint })
          : t('ui.field.invalid');
  return (
    <div className={error === undefined ? 'dv-field' : 'dv-field has-error'} data-testid={`field-${name}`}>
      <label className="dv-field-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, 'aria-invalid': error !== undefined, 'aria-describedby': describedBy })}
      {message ? (
        <p className="dv-field-error" id={describedBy} role="alert" data-testid="field-error" title={error}>
          {message}
        </p>
      ) : (
        <p className="dv-field-hint" id={describedBy}>
          {hint ?? ''}
        </p>
      )}
    </div>
  );
}
