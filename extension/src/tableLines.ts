/** The runs table's lines as DOM: a run's row (tick, swatch, name, short id, values, note), a group's header row. */

import { linkIcon } from '@jupyterlab/ui-components';

import { ColumnLayout, NAME_WIDTH, NOTE_WIDTH, SELECT_WIDTH } from './columns';
import { age, duration, h } from './dom';
import { formatNumber, formatValue } from './format';
import { copyLink, labLink } from './links';
import { hasGroupStats } from './tableModel';
import { IGroup, ITableRow } from './tableTypes';

/** Where the columns are: what a line needs to lay out its cells like the header's. */
export interface ILineLayout {
  columns: string[];
  offsets: Map<string, number>;
  columnLayout: ColumnLayout;
  totalWidth: number;
}

export interface ILineActions {
  tick(id: string, position: number, on: boolean, range: boolean): void;
  openRun(id: string): void;
  rename(row: ITableRow, position: number): void;
  editNote(id: string): void;
  setActive(position: number): void;
  toggleGroup(group: IGroup): void;
}

/** One cell of a fixed width; a pinned one sticks at `pinnedAt` px from the left when the grid scrolls sideways. */
export function cell(cls: string, width: number, pinnedAt: number | undefined, ...children: (Node | string)[]): HTMLElement {
  const node = h('div', { class: cls, attrs: { role: cls.includes('nbtrack-th') ? 'columnheader' : 'gridcell' } },
    ...children);
  node.style.width = `${width}px`;
  if (pinnedAt !== undefined) {
    node.style.left = `${pinnedAt}px`;
  }
  return node;
}

export function placeholderLine(at: ILineLayout): HTMLElement {
  const node = h('div', { class: 'nbtrack-trow nbtrack-loading-row', attrs: { role: 'row' } },
    cell('nbtrack-td nbtrack-select-cell nbtrack-pinned', SELECT_WIDTH, 0),
    cell('nbtrack-td nbtrack-name-cell nbtrack-pinned nbtrack-muted', NAME_WIDTH, SELECT_WIDTH, 'loading...'));
  node.style.width = `${at.totalWidth}px`;
  return node;
}

/** A button inside a row that acts without also activating the row. */
function rowButton(cls: string, title: string, text: string | Node, run: () => void): HTMLButtonElement {
  const button = h('button', { class: cls, title, attrs: { 'aria-label': title } }, text);
  button.tabIndex = -1; // the row is the keyboard stop; F2 renames, Enter opens
  button.addEventListener('click', event => {
    event.stopPropagation();
    run();
  });
  return button;
}

export function runLine(at: ILineLayout, actions: ILineActions, row: ITableRow, short: string, position: number,
                        state: { selected: boolean; active: boolean }): HTMLElement {
  const box = h('input', { class: 'nbtrack-select', attrs: { type: 'checkbox', 'aria-label': `select ${row.name}` } });
  box.checked = state.selected;
  box.tabIndex = -1;
  box.addEventListener('click', event => {
    event.stopPropagation();
    actions.tick(row.id, position, box.checked, event.shiftKey);
  });
  const name = rowButton('nbtrack-run-link', `open ${row.name} (${row.id})`, row.name, () => actions.openRun(row.id));
  const swatch = h('span', { class: 'nbtrack-swatch', attrs: { 'aria-hidden': 'true' } });
  swatch.style.background = row.colour;
  const nameCell = cell('nbtrack-td nbtrack-name-cell nbtrack-pinned', NAME_WIDTH, SELECT_WIDTH, swatch, name,
    h('span', { class: 'nbtrack-short-id', title: row.id }, short),
    row.archived ? h('span', { class: 'nbtrack-archived-badge' }, 'archived') : '',
    rowButton('nbtrack-icon-button nbtrack-rename', `rename ${row.name} (F2)`, '✎', () => actions.rename(row, position)),
    rowButton('nbtrack-icon-button nbtrack-run-copy-link', 'copy a link to this run', linkIcon.element({ tag: 'span' }),
      () => copyLink(labLink('nbtrack-run', row.id))));
  const excerpt = plainText(row.note_excerpt);
  const note = cell('nbtrack-td nbtrack-note-cell', NOTE_WIDTH, undefined,
    excerpt || h('span', { class: 'nbtrack-muted' }, '+ note'));
  note.title = excerpt ? `${excerpt}\n(click to edit the note)` : 'add a note';
  note.addEventListener('click', event => {
    event.stopPropagation();
    actions.editNote(row.id);
  });
  const classes = ['nbtrack-trow', state.selected && 'nbtrack-selected', row.archived && 'nbtrack-archived',
    state.active && 'nbtrack-active'].filter(Boolean).join(' ');
  const node = h('div', { class: classes, attrs: { role: 'row', 'data-run-id': row.id,
    'aria-selected': String(state.selected) } },
  cell('nbtrack-td nbtrack-select-cell nbtrack-pinned', SELECT_WIDTH, 0, box), nameCell,
  ...at.columns.map(c => valueCell(at, row, c)), note);
  node.style.width = `${at.totalWidth}px`;
  node.addEventListener('click', () => actions.setActive(position));
  node.addEventListener('dblclick', event => {
    if (!(event.target as HTMLElement).closest('button, input')) {
      actions.openRun(row.id);
    }
  });
  return node;
}

function valueCell(at: ILineLayout, row: ITableRow, field: string): HTMLElement {
  const pinnedAt = at.offsets.get(field);
  const value = field in row.values ? row.values[field] : runField(row, field);
  let content: Node | string;
  if (field === 'status') {
    content = h('span', { class: `nbtrack-status nbtrack-status-${String(value)}` }, String(value ?? '-'));
  } else if (field === 'duration') {
    content = value === null || value === undefined ? (row.status === 'running' ? 'running' : '-')
      : duration(Number(value));
  } else if (field === 'started' || field === 'ended') {
    content = typeof value === 'string' ? age(value) : formatValue(value);
  } else {
    content = formatValue(value);
  }
  const node = cell(`nbtrack-td${typeof value === 'number' ? ' nbtrack-number' : ''}`
    + `${pinnedAt !== undefined ? ' nbtrack-pinned' : ''}`, at.columnLayout.width(field), pinnedAt, content);
  const whole = value === undefined || value === null ? '-' : typeof value === 'string' ? value : JSON.stringify(value);
  node.title = `${field}: ${whole}`;
  return node;
}

/** Markdown as one line of plain text: marks, link targets and HTML tags removed (the note editor renders it). */
export function plainText(markdown: string): string {
  return markdown
    .replace(/<[^>]*>/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(^|\s)(#{1,6}|>|[-*+]|\d+[.)])\s+/g, '$1')
    .replace(/(\*\*|__|~~|`+)/g, '')
    .replace(/(^|[\s(])[*_](\S)/g, '$1$2')
    .replace(/(\S)[*_](?=$|[\s).,;:!?])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A group's header: its value, how many runs, and mean ± sd (sample) of its metrics and numeric run facts. */
export function groupLine(at: ILineLayout, actions: ILineActions, groupField: string, group: IGroup, position: number,
                          state: { open: boolean; active: boolean }): HTMLElement {
  const label = `${groupField} = ${formatValue(group.value)}`;
  const node = h('div', { class: `nbtrack-trow nbtrack-group-row${state.active ? ' nbtrack-active' : ''}`,
    attrs: { role: 'row', 'aria-expanded': String(state.open) } },
  cell('nbtrack-td nbtrack-select-cell nbtrack-pinned', SELECT_WIDTH, 0, state.open ? '▾' : '▸'),
  cell('nbtrack-td nbtrack-name-cell nbtrack-pinned', NAME_WIDTH, SELECT_WIDTH,
    h('span', { class: 'nbtrack-group-label' }, label), h('span', { class: 'nbtrack-group-count' },
      `${group.count} run${group.count === 1 ? '' : 's'}`)),
  ...at.columns.map(c => {
    const stats = hasGroupStats(c, groupField) ? group.stats[c] : undefined;
    const mean = stats && stats.mean !== null ? formatNumber(stats.mean) : '';
    const std = stats && stats.std !== null && stats.count > 1 ? ` ± ${formatNumber(stats.std)}` : '';
    const node = cell(`nbtrack-td nbtrack-number${at.offsets.has(c) ? ' nbtrack-pinned' : ''}`,
      at.columnLayout.width(c), at.offsets.get(c), h('span', {}, mean), std ? h('span', { class: 'nbtrack-std' }, std) : '');
    if (stats) {
      node.title = `${c}: mean ${mean}${std ? `, sample sd${std.slice(2)}` : ''} over ${stats.count} run${stats.count === 1 ? '' : 's'}`;
    }
    return node;
  }),
  cell('nbtrack-td nbtrack-note-cell', NOTE_WIDTH, undefined));
  node.style.width = `${at.totalWidth}px`;
  if (group.where === null) {
    node.title = 'this value cannot be written in a filter (a list, or no value): its runs are not listed here';
  }
  node.addEventListener('click', () => {
    actions.setActive(position);
    actions.toggleGroup(group);
  });
  return node;
}

/** A run-level field the row carries itself (when the server did not put it among values). */
function runField(row: ITableRow, field: string): unknown {
  switch (field) {
    case 'status':
      return row.status;
    case 'duration':
      return row.duration;
    case 'started':
      return row.started_at;
    case 'ended':
      return row.ended_at;
    case 'name':
      return row.name;
    case 'id':
      return row.id;
    default:
      return null;
  }
}
