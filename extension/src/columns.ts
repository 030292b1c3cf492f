/** The table's columns as laid out on screen (widths, pins) and the column picker with its search. */

import { h } from './dom';
import { IField } from './tableTypes';

export const SELECT_WIDTH = 34;
export const NAME_WIDTH = 260;
export const NOTE_WIDTH = 160;
const VALUE_WIDTH = 100;
export const MIN_WIDTH = 48;
const KIND_ORDER = ['run', 'param', 'metric', 'tag', 'data'];

export class ColumnLayout {
  readonly widths = new Map<string, number>();
  readonly pinned = new Set<string>();

  width(field: string): number {
    return this.widths.get(field) ?? (field === 'status' ? 92 : VALUE_WIDTH);
  }

  /** Columns in display order: pinned ones first (kept in their relative order), then the rest. */
  arrange(columns: string[]): string[] {
    return [...columns.filter(c => this.pinned.has(c)), ...columns.filter(c => !this.pinned.has(c))];
  }
}

export interface IColumnPicker {
  fields: IField[];
  columns: string[];
  defaults: string[];
  set(columns: string[]): void;
}

/** Tick boxes for every field, grouped by kind, narrowed by a search box; "defaults" restores the filter's own. */
export function columnPicker(owner: IColumnPicker): HTMLElement {
  const search = h('input', { class: 'jp-mod-styled nbtrack-column-search', attrs: { type: 'search',
    placeholder: 'search columns', 'aria-label': 'search columns', spellcheck: 'false' } });
  const list = h('div', { class: 'nbtrack-column-list' });
  const chosen = new Set(owner.columns);
  const draw = (): void => {
    const needle = search.value.trim().toLowerCase();
    const sections: HTMLElement[] = [];
    for (const kind of KIND_ORDER) {
      const fields = owner.fields.filter(f => f.kind === kind && (!needle || f.field.toLowerCase().includes(needle)));
      if (!fields.length) {
        continue;
      }
      sections.push(h('div', { class: 'nbtrack-column-kind' }, `${kind}s`));
      for (const field of fields) {
        const box = h('input', { attrs: { type: 'checkbox', 'data-field': field.field } });
        box.checked = chosen.has(field.field);
        box.addEventListener('change', () => {
          if (box.checked) {
            chosen.add(field.field);
          } else {
            chosen.delete(field.field);
          }
          // keep the table's order; new columns go at the end
          owner.set([...owner.columns.filter(c => chosen.has(c)), ...[...chosen].filter(c => !owner.columns.includes(c))]);
        });
        sections.push(h('label', { class: 'nbtrack-column-option', title: field.field }, box, field.field));
      }
    }
    list.replaceChildren(...(sections.length ? sections : [h('div', { class: 'nbtrack-muted' }, 'No field matches.')]));
  };
  search.addEventListener('input', draw);
  const defaults = h('button', { class: 'jp-mod-styled nbtrack-column-defaults',
    title: 'the columns that vary among the runs shown' }, 'Default columns');
  defaults.addEventListener('click', () => {
    chosen.clear();
    owner.defaults.forEach(c => chosen.add(c));
    owner.set(owner.defaults.slice());
    draw();
  });
  draw();
  window.setTimeout(() => search.focus(), 0);
  return h('div', { class: 'nbtrack-column-picker' }, h('div', { class: 'nbtrack-toolbar' }, search, defaults), list);
}
