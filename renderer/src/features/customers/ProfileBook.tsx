import { useState } from 'react';
import type { FormEvent } from 'react';
import { useApp, useServices, useStoreTimeZone, useT } from '../../app/services.js';
import { formatStoreTime } from '../../ui/format/event-time.js';
import { tagText } from './customers-text.js';
import type { CustomerProfile } from './customers-types.js';

/** What the guides know of the customer: tags (HQ's and their own), dated notes, the contact log. */
export function ProfileBook({ profile: p }: { profile: CustomerProfile }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const timeZone = useStoreTimeZone();
  const { customers } = useServices();
  const [tag, setTag] = useState('');
  const [note, setNote] = useState('');
  const addTag = async (event: FormEvent) => {
    event.preventDefault();
    if (tag.trim() && (await customers.getState().addTag(tag.trim()))) setTag('');
  };
  const addNote = async (event: FormEvent) => {
    event.preventDefault();
    if (note.trim() && (await customers.getState().addNote(note.trim()))) setNote('');
  };
  const when = (iso: string) => formatStoreTime(iso, timeZone, language);
  return (
    <>
      <section className="cb-section" data-testid="profile-tags">
        <h3>{t('customers.profile.tags')}</h3>
        <div className="cb-chips">
          {p.tags.map((x) => (
            <span key={x.tag} className={`cb-tag cb-tag-${x.source}`} data-testid="profile-tag" data-tag={x.tag}>
              {tagText(t, x, language)}
              {x.source === 'manual' && (
                <button
                  type="button"
                  className="cb-tag-remove"
                  aria-label={t('customers.profile.removeTag', { tag: x.tag })}
                  onClick={() => void customers.getState().removeTag(x.tag)}
                >
                  ×
                </button>
              )}
            </span>
          ))}
        </div>
        <form className="cb-inline" onSubmit={(e) => void addTag(e)}>
          <input
            className="co-input"
            value={tag}
            maxLength={24}
            onChange={(e) => setTag(e.target.value.replace(/:/g, ''))}
            placeholder={t('customers.profile.tagPlaceholder')}
            data-testid="tag-input"
          />
          <button type="submit" className="button-ghost" disabled={!tag.trim()} data-testid="tag-add">
            {t('customers.profile.addTag')}
          </button>
        </form>
      </section>
      <section className="cb-section" data-testid="profile-notes">
        <h3>{t('customers.profile.notes')}</h3>
        <form className="cb-inline" onSubmit={(e) => void addNote(e)}>
          <input
            className="co-input cb-grow"
            value={note}
            maxLength={1000}
            onChange={(e) => setNote(e.target.value)}
            placeholder={t('customers.profile.notePlaceholder')}
            data-testid="note-input"
          />
          <button type="submit" className="button-ghost" disabled={!note.trim()} data-testid="note-add">
            {t('customers.profile.addNote')}
          </button>
        </form>
        {p.notes.length === 0 ? (
          <p className="cb-muted">{t('customers.profile.noNotes')}</p>
        ) : (
          <ul className="co-list cb-log">
            {p.notes.map((n) => (
              <li key={n.id} data-testid="profile-note">
                <p>{n.body}</p>
                <span className="cb-muted">{t('customers.profile.by', { name: n.staff, date: when(n.at) })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="cb-section" data-testid="profile-contacts">
        <h3>
          {t('customers.profile.contacts')}{' '}
          <span className="cb-muted">
            {t('customers.profile.contactWindow', { used: p.contactWindow.used, max: p.contactWindow.max, days: p.contactWindow.days })}
          </span>
        </h3>
        {p.contacts.length === 0 ? (
          <p className="cb-muted">{t('customers.profile.noContacts')}</p>
        ) : (
          <ul className="co-list cb-log">
            {p.contacts.map((c) => (
              <li key={c.id}>
                <p>
                  {t(`customers.contact.${c.channel}`)} · {t(`customers.outcome.${c.outcome}`)}
                  {c.note ? ` · ${c.note}` : ''}
                </p>
                <span className="cb-muted">{t('customers.profile.by', { name: c.staff, date: when(c.at) })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
