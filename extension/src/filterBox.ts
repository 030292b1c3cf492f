/** The table's filter box: the query language, completion of keys and values from /runs/fields, errors below it. */

import { h } from './dom';
import { IField } from './tableTypes';

const KEYWORDS = ['and', 'or', 'not', 'like', 'in'];
const MAX_SUGGESTIONS = 12;
const DEBOUNCE_MS = 250;

interface ISuggestion {
  text: string;
  detail: string;
}

export class FilterBox {
  readonly node: HTMLElement;
  readonly input: HTMLInputElement;

  constructor(private readonly apply: (where: string) => void) {
    this.input = h('input', { class: 'nbtrack-filter nbtrack-table-filter jp-mod-styled', attrs: {
      type: 'search', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'filter runs',
      placeholder: "filter: params.model = 'rf' and metrics.test.f1 > 0.9 (Tab completes keys and values)" } });
    this.list = h('ul', { class: 'nbtrack-suggestions', attrs: { role: 'listbox' } });
    this.error = h('div', { class: 'nbtrack-filter-error', attrs: { role: 'alert' } });
    this.node = h('div', { class: 'nbtrack-filter-box' }, this.input, this.list, this.error);
    this.input.addEventListener('input', () => {
      this.suggest();
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.apply(this.input.value), DEBOUNCE_MS);
    });
    this.input.addEventListener('keydown', event => this.onKey(event));
    this.input.addEventListener('blur', () => window.setTimeout(() => this.hide(), 150));
  }

  fields: IField[] = [];

  set value(where: string) {
    this.input.value = where;
  }

  /** The server's message under the box (the table keeps the last results); '' clears it. */
  showError(message: string): void {
    this.error.textContent = message;
    this.input.classList.toggle('nbtrack-invalid', !!message);
  }

  private onKey(event: KeyboardEvent): void {
    const open = this.suggestions.length > 0 && this.list.childElementCount > 0;
    if (event.key === 'ArrowDown' && open) {
      event.preventDefault();
      this.move(1);
    } else if (event.key === 'ArrowUp' && open) {
      event.preventDefault();
      this.move(-1);
    } else if ((event.key === 'Tab' || (event.key === 'Enter' && this.active >= 0)) && open) {
      event.preventDefault();
      this.accept(this.suggestions[Math.max(0, this.active)]);
    } else if (event.key === 'Escape' && open) {
      event.stopPropagation();
      this.hide();
    } else if (event.key === 'Enter') {
      window.clearTimeout(this.timer);
      this.hide();
      this.apply(this.input.value);
    }
  }

  /** The word being typed and what it is: a key, or a value after `key op`. */
  private context(): { start: number; word: string; field: IField | null } {
    const text = this.input.value.slice(0, this.input.selectionStart ?? this.input.value.length);
    const match = /[^\s()=<>!,]*$/.exec(text);
    const word = match ? match[0] : '';
    const start = text.length - word.length;
    const before = text.slice(0, start);
    const keyed = /([\w.`-]+)\s*(=|!=|<=|>=|<|>|like|in\s*\(|,)\s*'?$/i.exec(before.replace(/'[^']*$/, "'"));
    const field = keyed ? this.fields.find(f => f.field === keyed[1]) ?? null : null;
    return { start, word, field };
  }

  private suggest(): void {
    const { word, field } = this.context();
    let found: ISuggestion[] = [];
    if (field) {
      const bare = word.replace(/^'/, '').toLowerCase();
      found = field.values.map(v => ({ text: literal(v), detail: field.field }))
        .filter(s => s.text.replace(/^'/, '').toLowerCase().startsWith(bare));
    } else if (word.length > 0 && !KEYWORDS.includes(word.toLowerCase())) {
      const lower = word.toLowerCase();
      found = this.fields.filter(f => f.field.toLowerCase().includes(lower))
        .sort((a, b) => Number(!a.field.toLowerCase().startsWith(lower)) - Number(!b.field.toLowerCase().startsWith(lower)))
        .map(f => ({ text: f.field, detail: f.kind }));
    }
    this.suggestions = found.filter(s => s.text !== word).slice(0, MAX_SUGGESTIONS);
    this.active = -1;
    this.list.replaceChildren(...this.suggestions.map((s, i) => {
      const item = h('li', { attrs: { role: 'option', 'data-index': String(i) } },
        h('span', { class: 'nbtrack-suggestion-text' }, s.text), h('span', { class: 'nbtrack-muted' }, s.detail));
      item.addEventListener('mousedown', event => {
        event.preventDefault();
        this.accept(s);
      });
      return item;
    }));
  }

  private move(step: number): void {
    const count = this.suggestions.length;
    this.active = (this.active + step + count) % count;
    [...this.list.children].forEach((item, i) => item.classList.toggle('nbtrack-active', i === this.active));
  }

  private accept(suggestion: ISuggestion): void {
    const { start } = this.context();
    const end = this.input.selectionStart ?? this.input.value.length;
    const value = this.input.value;
    const inserted = `${suggestion.text} `;
    this.input.value = value.slice(0, start) + inserted + value.slice(end).replace(/^\S*/, '');
    const caret = start + inserted.length;
    this.input.setSelectionRange(caret, caret);
    this.hide();
    this.input.focus();
    window.clearTimeout(this.timer);
    this.apply(this.input.value);
  }

  private hide(): void {
    this.suggestions = [];
    this.list.replaceChildren();
  }

  private readonly list: HTMLUListElement;
  private readonly error: HTMLDivElement;
  private suggestions: ISuggestion[] = [];
  private active = -1;
  private timer = 0;
}

/** A value as the query language writes it: numbers and booleans bare, text quoted. */
function literal(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value); // exact: a rounded number would match nothing
  }
  return `'${String(value).replace(/'/g, "''")}'`;
}
