const TEXT_INPUT_TYPES = new Set(['text', 'search', 'tel', 'url', 'email', 'password', 'number', '']);

type TextField = HTMLInputElement | HTMLTextAreaElement;

function editableField(el: Element | null): TextField | HTMLElement | undefined {
  if (el instanceof HTMLTextAreaElement) return el.readOnly || el.disabled ? undefined : el;
  if (el instanceof HTMLInputElement) {
    return TEXT_INPUT_TYPES.has(el.type) && !el.readOnly && !el.disabled ? el : undefined;
  }
  if (el instanceof HTMLElement && el.isContentEditable) return el;
  return undefined;
}

/**
 * Types `text` into the focused field at the caret, as if the keys had gone there directly.
 * `execCommand('insertText')` keeps undo history and fires the `input` events React listens to;
 * where it is refused, the value is spliced and an `input` event dispatched by hand.
 * Returns false when nothing editable has focus (the keys then had nowhere to go anyway).
 */
export function insertTextAtCaret(doc: Document, text: string): boolean {
  const field = editableField(doc.activeElement);
  if (!field) return false;
  // Deprecated but still the only way to insert text that behaves like typing (undo, input events).
  if (doc.execCommand('insertText', false, text)) return true;
  if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return false;
  try {
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? start;
    field.setRangeText(text, start, end, 'end');
  } catch {
    // type=number and friends have no selection API: append.
    field.value += text;
  }
  field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
  return true;
}
