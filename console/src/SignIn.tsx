import { useState } from 'react';
import type { FormEvent } from 'react';
import { HqRefusal, login } from './api.js';
import { describeFailure } from './format.js';
import type { Translate } from './i18n/translate.js';
import type { Session } from './session.js';

export function SignIn({ t, expired, onSignedIn }: { t: Translate; expired: boolean; onSignedIn: (session: Session) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await login(name.trim(), password);
      onSignedIn({ name: answer.name, token: answer.token, expiresAt: answer.expiresAt, role: answer.role });
    } catch (failure) {
      if (failure instanceof HqRefusal && failure.status === 401) setError(t('error.wrongLogin'));
      else if (failure instanceof HqRefusal && failure.status === 429) setError(t('error.tooMany'));
      else setError(describeFailure(failure, t));
      setBusy(false);
    }
  };

  return (
    <form className="sign-in" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      <p className="muted">{t('signIn.hint')}</p>
      {expired && !error && <p className="notice">{t('signIn.expired')}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <label>
        <span>{t('signIn.name')}</span>
        <input name="name" autoComplete="username" required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        <span>{t('signIn.password')}</span>
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={200}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('signIn.busy') : t('signIn.submit')}
      </button>
    </form>
  );
}
