/** The runs table in Lab's main area: toolbar, selection bar and a virtualized grid paged and sorted by the server. */

import { showErrorMessage } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { bulkAction, BulkAction } from './bulk';
import { columnPicker, ColumnLayout, MIN_WIDTH, NAME_WIDTH, NOTE_WIDTH, SELECT_WIDTH } from './columns';
import { age, duration, h } from './dom';
import { FilterBox } from './filterBox';
import { formatNumber, formatValue, runColour, shortIds } from './format';
import { copyLink, labLink } from './links';
import { openPopup, closePopup } from './popup';
import { requestAPI } from './request';
import { groupKey, Line, Listing, PAGE, TableModel } from './tableModel';
import { Archived, IGroup, ISavedView, ITableRow } from './tableTypes';
import { IExperiment } from './types';
import { findView, viewsMenu } from './views';

const ROW_HEIGHT = 32;
const REFRESH_MS = 2000;
const MAX_COMPARE = 20;

export interface ITableActions {
  openRun(id: string): void;
  compare(ids: string[]): void;
  editNote(id: string, saved: () => void): void;
}

/** A drawn line: its node and what it was drawn from, so an unchanged line is kept as it is. */
interface IDrawn {
  node: HTMLElement;
  signature: string;
}

const stripSign = (order: string): string => order.replace(/^-/, '');

export class RunsTable extends Widget {
  constructor(private readonly actions: ITableActions) {
    super();
    this.id = 'nbtrack-table';
    this.title.label = 'Runs';
    this.title.closable = true;
    this.addClass('nbtrack-runs-table');
    this.model.changed = () => this.paint();
    this.model.failed = message => this.filter.showError(message);

    this.filter = new FilterBox(where => {
      this.model.state.where = where.trim();
      this.restart();
    });
    this.experimentSelect = h('select', { class: 'nbtrack-experiment', attrs: { 'aria-label': 'experiment' } },
      h('option', { attrs: { value: '' } }, 'all experiments'));
    this.experimentSelect.addEventListener('change', () => {
      this.model.state.experiment = this.experimentSelect.value;
      this.restart();
    });
    this.archivedSelect = h('select', { class: 'nbtrack-archived-select', attrs: { 'aria-label': 'archived runs' } },
      h('option', { attrs: { value: 'hide' } }, 'hide archived'),
      h('option', { attrs: { value: 'include' } }, 'with archived'),
      h('option', { attrs: { value: 'only' } }, 'archived only'));
    this.archivedSelect.addEventListener('change', () => {
      this.model.state.archived = this.archivedSelect.value as Archived;
      this.restart();
    });
    this.groupSelect = h('select', { class: 'nbtrack-group-select', attrs: { 'aria-label': 'group rows by' } });
    this.groupSelect.addEventListener('change', () => {
      this.model.state.group = this.groupSelect.value;
      this.model.open.clear();
      this.scroller.scrollTop = 0;
      void this.model.reload();
    });
    const columnsButton = h('button', { class: 'jp-mod-styled nbtrack-columns-button' }, 'Columns');
    columnsButton.addEventListener('click', () => {
      const model = this.model;
      openPopup(columnsButton, columnPicker({
        get fields() { return model.fields; },
        get columns() { return model.state.columns; },
        get defaults() { return model.defaultColumns; },
        set: columns => this.setColumns(columns)
      }), 'nbtrack-columns-popup');
    });
    this.constantBox = h('input', { class: 'nbtrack-hide-constant', attrs: { type: 'checkbox' } });
    this.constantBox.addEventListener('change', () => this.relayout());
    const viewsButton = h('button', { class: 'jp-mod-styled nbtrack-views-button' }, 'Views');
    viewsButton.addEventListener('click', () => {
      const popup = openPopup(viewsButton, viewsMenu({
        current: this.viewName,
        state: () => ({ ...this.model.state, columns: this.model.state.columns.slice(), order: this.model.state.order.slice() }),
        apply: view => this.applyView(view),
        saved: name => this.named(name)
      }, () => closePopup()), 'nbtrack-views-popup');
      void popup;
    });
    this.countLine = h('span', { class: 'nbtrack-count', attrs: { role: 'status' } });

    this.selectionCount = h('span', { class: 'nbtrack-selection-count' });
    const button = (label: string, cls: string, title: string, run: () => void): HTMLButtonElement => {
      const b = h('button', { class: `jp-mod-styled ${cls}`, title }, label);
      b.addEventListener('click', run);
      return b;
    };
    this.compareButton = button('Compare', 'jp-mod-accept nbtrack-compare-selected', 'compare the selected runs',
      () => this.actions.compare(this.selectedIds()));
    this.bulkButtons = [
      this.compareButton,
      button('Copy compare link', 'nbtrack-compare-link', 'a Lab link that opens this comparison',
        () => copyLink(labLink('nbtrack-compare', this.selectedIds().join(',')))),
      button('Tag...', 'nbtrack-bulk-tag', 'set or remove tags on the selected runs', () => void this.bulk('tag')),
      button('Archive', 'nbtrack-bulk-archive', 'hide the selected runs (restore shows them again)',
        () => void this.bulk('archive')),
      button('Restore', 'nbtrack-bulk-restore', 'un-archive the selected runs', () => void this.bulk('restore')),
      button('Delete...', 'jp-mod-warn nbtrack-bulk-delete', 'delete the selected runs permanently',
        () => void this.bulk('delete')),
      button('Clear selection', 'nbtrack-clear-selection', 'untick every run', () => this.clearSelection())
    ];

    this.header = h('div', { class: 'nbtrack-thead', attrs: { role: 'row' } });
    this.body = h('div', { class: 'nbtrack-tbody', attrs: { role: 'rowgroup' } });
    this.scroller = h('div', { class: 'nbtrack-grid', attrs: { role: 'grid', 'aria-label': 'runs', tabindex: '0' } },
      this.header, this.body);
    this.scroller.addEventListener('scroll', () => this.paint());
    this.scroller.addEventListener('keydown', event => this.onKey(event));
    this.scroller.addEventListener('focus', event => {
      if (event.target === this.scroller) {
        this.focusLine(this.active);
      }
    });

    this.node.append(
      h('div', { class: 'nbtrack-table-head' },
        h('div', { class: 'nbtrack-toolbar' }, this.filter.node, this.experimentSelect, this.archivedSelect,
          h('label', { class: 'nbtrack-labelled' }, 'group ', this.groupSelect)),
        h('div', { class: 'nbtrack-toolbar' }, this.countLine, columnsButton,
          h('label', { class: 'nbtrack-labelled', title: 'hide columns whose value is the same in every run shown' },
            this.constantBox, 'hide columns that never change'),
          viewsButton,
          h('div', { class: 'nbtrack-selection-bar' }, this.selectionCount, ...this.bulkButtons))),
      this.scroller);
    this.updateSelection();
    this.relayout();
  }

  /** Open with a saved view or a filter (the command's args); no args keeps the table as it is. */
  async open(args: { view?: string; where?: string }): Promise<void> {
    if (args.view) {
      try {
        this.applyView(await findView(args.view));
      } catch (error) {
        this.filter.showError((error as Error).message);
      }
    } else if (args.where !== undefined) {
      this.filter.value = args.where;
      this.model.state.where = args.where;
      this.restart();
    }
  }

  applyView(view: ISavedView): void {
    this.model.state = { where: view.where ?? '', experiment: view.experiment ?? '', columns: [...(view.columns ?? [])],
      order: view.order?.length ? [...view.order] : ['-started'], group: view.group ?? '',
      archived: view.archived ?? 'hide' };
    this.model.columnsChosen = this.model.state.columns.length > 0;
    this.filter.value = this.model.state.where;
    this.experimentSelect.value = this.model.state.experiment;
    this.archivedSelect.value = this.model.state.archived;
    this.model.open.clear();
    this.named(view.name);
    this.restart();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    void this.loadExperiments();
    if (!this.started) {
      this.started = true;
      void this.model.reload();
    }
    this.timer = window.setInterval(() => this.refresh(), REFRESH_MS);
  }

  protected onBeforeDetach(msg: Message): void {
    window.clearInterval(this.timer);
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.paint();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this.paint();
  }

  private named(name: string): void {
    this.viewName = name;
    this.title.label = name ? `Runs: ${name}` : 'Runs';
  }

  /** The filter, experiment or archived toggle changed: the selection is of runs no longer listed. */
  private restart(): void {
    this.selected.clear();
    this.updateSelection();
    this.scroller.scrollTop = 0;
    this.active = 0;
    void this.model.reload();
  }

  private setColumns(columns: string[]): void {
    this.model.state.columns = columns;
    this.model.columnsChosen = true;
    void this.model.reload();
  }

  private async loadExperiments(): Promise<void> {
    try {
      const { experiments } = await requestAPI<{ experiments: IExperiment[] }>('experiments');
      this.experimentSelect.replaceChildren(h('option', { attrs: { value: '' } }, 'all experiments'),
        ...experiments.map(e => h('option', { attrs: { value: e.name } }, `${e.name} (${e.runs})`)));
      this.experimentSelect.value = this.model.state.experiment;
    } catch {
      // the list of experiments is a convenience; the filter still takes experiment = '...'
    }
  }

  /** Re-read what is on screen every 2 s: running runs move, new runs appear; scroll, selection and focus stay. */
  private refresh(): void {
    if (!this.isVisible || this.editing || document.hidden) {
      return;
    }
    const pages = new Map<Listing, Set<number>>();
    for (let position = this.firstShown; position < this.lastShown; position += 1) {
      const line = this.model.line(position);
      if (line?.kind === 'run') {
        const set = pages.get(line.listing) ?? new Set<number>();
        set.add(Math.floor(line.index / PAGE));
        pages.set(line.listing, set);
      }
    }
    if (!this.model.state.group && !pages.size) {
      pages.set(this.model.main, new Set([0]));
    }
    for (const [listing, numbers] of pages) {
      numbers.forEach(page => void this.model.fetch(listing, page, true));
    }
    void this.model.refreshGroups();
  }

  // --- columns ---

  private shownColumns(): string[] {
    const columns = this.columnLayout.arrange(this.model.state.columns);
    return this.constantBox.checked ? columns.filter(c => !this.isConstant(c)) : columns;
  }

  /** A column "never changes" when the catalogue knows at most one value and every loaded run agrees. */
  private isConstant(field: string): boolean {
    const known = this.model.field(field);
    if (known && known.values.length > 1) {
      return false;
    }
    const seen = new Set<string>();
    for (const page of this.model.main.pages.values()) {
      for (const row of page) {
        seen.add(JSON.stringify(row.values[field] ?? null));
        if (seen.size > 1) {
          return false;
        }
      }
    }
    return true;
  }

  /** Columns, widths or pins changed: rebuild the header and redraw every line. */
  private relayout(): void {
    this.layoutVersion += 1;
    this.columns = this.shownColumns();
    let left = SELECT_WIDTH + NAME_WIDTH;
    this.offsets.clear();
    for (const column of this.columns) {
      if (this.columnLayout.pinned.has(column)) {
        this.offsets.set(column, left);
      }
      left += this.columnLayout.width(column);
    }
    this.totalWidth = left + NOTE_WIDTH;
    this.header.style.width = `${this.totalWidth}px`;
    this.header.replaceChildren(this.selectAllCell(), this.headCell('name', NAME_WIDTH, SELECT_WIDTH),
      ...this.columns.map(c => this.headCell(c, this.columnLayout.width(c), this.offsets.get(c))),
      h('div', { class: 'nbtrack-th nbtrack-note-cell', attrs: { role: 'columnheader' } }, 'note'));
    this.paint();
  }

  private selectAllCell(): HTMLElement {
    const box = h('input', { class: 'nbtrack-select-all', attrs: { type: 'checkbox',
      'aria-label': 'select every run loaded', title: 'select every run loaded (again: select none)' } });
    const loaded = this.loadedRows();
    box.checked = loaded.length > 0 && loaded.every(r => this.selected.has(r.id));
    box.addEventListener('change', () => {
      const rows = this.loadedRows();
      if (box.checked) {
        rows.forEach(r => this.selected.add(r.id));
      } else {
        this.selected.clear();
      }
      this.updateSelection();
      this.paint();
    });
    const cell = this.cell('nbtrack-th nbtrack-select-cell nbtrack-pinned', SELECT_WIDTH, 0, box);
    cell.setAttribute('role', 'columnheader');
    return cell;
  }

  private headCell(field: string, width: number, pinnedAt?: number): HTMLElement {
    const known = this.model.field(field);
    const label = field === 'name' ? 'name · id' : known?.label ?? field;
    const kind = known && known.kind !== 'run' ? known.kind : '';
    const position = this.model.state.order.findIndex(o => stripSign(o) === field);
    const order = this.model.state.order[position];
    const arrow = position < 0 ? '' : order.startsWith('-') ? '▼' : '▲';
    const rank = position > 0 || (position === 0 && this.model.state.order.length > 1) ? `${position + 1}` : '';
    const text = h('span', { class: 'nbtrack-th-text' }, kind ? h('span', { class: 'nbtrack-th-kind' }, kind) : '',
      h('span', { class: 'nbtrack-th-label' }, label));
    const sort = h('span', { class: 'nbtrack-sort' }, arrow, rank ? h('sup', {}, rank) : null);
    const menu = h('button', { class: 'nbtrack-icon-button nbtrack-column-menu', title: `${field}: menu`,
      attrs: { 'aria-label': `${field} column menu` } }, '⋮');
    const cell = this.cell(`nbtrack-th${pinnedAt !== undefined ? ' nbtrack-pinned' : ''}`, width, pinnedAt, text, sort);
    cell.title = `${field}: click to sort, shift-click to add a sort key`;
    cell.setAttribute('role', 'columnheader');
    cell.dataset.field = field;
    cell.setAttribute('aria-sort', position < 0 ? 'none' : order.startsWith('-') ? 'descending' : 'ascending');
    cell.addEventListener('click', event => {
      if (!(event.target as HTMLElement).closest('.nbtrack-column-menu, .nbtrack-resize')) {
        this.sortBy(field, event.shiftKey);
      }
    });
    if (field !== 'name') {
      cell.append(menu);
      menu.addEventListener('click', () => openPopup(menu, this.columnMenu(field), 'nbtrack-column-popup'));
      cell.draggable = true;
      cell.addEventListener('dragstart', event => {
        if (this.resizing) {
          event.preventDefault(); // a drag from the resize handle resizes, it does not move the column
        } else {
          event.dataTransfer?.setData('text/x-nbtrack-column', field);
        }
      });
      cell.addEventListener('dragover', event => event.preventDefault());
      cell.addEventListener('drop', event => {
        event.preventDefault();
        const moved = event.dataTransfer?.getData('text/x-nbtrack-column');
        if (moved && moved !== field) {
          const rest = this.model.state.columns.filter(c => c !== moved);
          rest.splice(rest.indexOf(field), 0, moved);
          this.model.state.columns = rest;
          this.model.columnsChosen = true;
          this.relayout();
        }
      });
    }
    const handle = h('div', { class: 'nbtrack-resize', title: 'drag to resize' });
    handle.addEventListener('pointerdown', event => this.startResize(event, field, width));
    cell.append(handle);
    return cell;
  }

  private columnMenu(field: string): HTMLElement {
    const item = (label: string, run: () => void): HTMLElement => {
      const b = h('button', { class: 'nbtrack-menu-item' }, label);
      b.addEventListener('click', () => {
        closePopup();
        run();
      });
      return b;
    };
    const move = (step: number): void => {
      const columns = this.model.state.columns.slice();
      const at = columns.indexOf(field);
      const to = Math.max(0, Math.min(columns.length - 1, at + step));
      columns.splice(at, 1);
      columns.splice(to, 0, field);
      this.model.state.columns = columns;
      this.model.columnsChosen = true;
      this.relayout();
    };
    const pinned = this.columnLayout.pinned.has(field);
    return h('div', { class: 'nbtrack-menu', attrs: { role: 'menu' } },
      h('div', { class: 'nbtrack-muted' }, field),
      item('Sort ascending', () => this.setOrder([field])),
      item('Sort descending', () => this.setOrder([`-${field}`])),
      item('Move left', () => move(-1)),
      item('Move right', () => move(1)),
      item(pinned ? 'Unpin' : 'Pin to the left', () => {
        if (pinned) {
          this.columnLayout.pinned.delete(field);
        } else {
          this.columnLayout.pinned.add(field);
        }
        this.relayout();
      }),
      item('Hide column', () => this.setColumns(this.model.state.columns.filter(c => c !== field))));
  }

  private startResize(event: PointerEvent, field: string, width: number): void {
    event.preventDefault();
    event.stopPropagation();
    if (field === 'name') {
      return; // the name column keeps its width: the swatch, name and short id are laid out in it
    }
    // On the window, not the handle: every move rebuilds the header, the handle with it.
    this.resizing = true;
    const start = event.clientX;
    let frame = 0;
    const move = (e: PointerEvent): void => {
      const next = Math.max(MIN_WIDTH, Math.round(width + e.clientX - start));
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        this.columnLayout.widths.set(field, next);
        this.relayout();
      });
    };
    const up = (): void => {
      this.resizing = false;
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  private sortBy(field: string, add: boolean): void {
    const order = this.model.state.order.slice();
    const at = order.findIndex(o => stripSign(o) === field);
    const flipped = (o: string): string => (o.startsWith('-') ? o.slice(1) : `-${o}`);
    if (add) {
      if (at >= 0) {
        order[at] = flipped(order[at]);
      } else {
        order.push(field);
      }
      this.setOrder(order);
    } else {
      this.setOrder([at === 0 ? flipped(order[0]) : field]);
    }
  }

  private setOrder(order: string[]): void {
    this.model.state.order = order;
    this.scroller.scrollTop = 0; // a new order starts at its top
    this.relayout();
    void this.model.reload();
  }

  // --- lines ---

  private cell(cls: string, width: number, pinnedAt: number | undefined, ...children: (Node | string)[]): HTMLElement {
    const cell = h('div', { class: cls }, ...children);
    cell.style.width = `${width}px`;
    if (pinnedAt !== undefined) {
      cell.style.left = `${pinnedAt}px`;
    }
    return cell;
  }

  /** Draw the lines in view (and a margin), keeping unchanged ones; fetch the pages they need. */
  private paint(): void {
    if (this.header.childElementCount === 0) {
      return;
    }
    const model = this.model;
    const count = model.lineCount();
    const total = model.state.group ? model.groups.reduce((n, g) => n + g.count, 0) : Math.max(0, model.main.total);
    this.countLine.textContent = model.main.total < 0 ? 'loading...'
      : `${total.toLocaleString()} run${total === 1 ? '' : 's'}` + (model.state.group ? ` in ${model.truncated ? 'the biggest ' : ''}${model.groups.length} groups` : '');
    this.filter.fields = model.fields;
    this.refreshGroupOptions();
    if (this.columnsSeen !== model.state.columns.join('\n')) {
      this.columnsSeen = model.state.columns.join('\n');
      this.relayout();
      return;
    }
    this.body.style.height = `${count * ROW_HEIGHT}px`;
    this.body.style.width = `${this.totalWidth}px`;
    const height = this.scroller.clientHeight || 600;
    const top = Math.max(0, this.scroller.scrollTop - this.header.offsetHeight);
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 5);
    const last = Math.min(count, first + Math.ceil(height / ROW_HEIGHT) + 10);
    this.firstShown = first;
    this.lastShown = last;
    const lines: [number, Line][] = [];
    for (let position = first; position < last; position += 1) {
      const line = model.line(position);
      if (line) {
        lines.push([position, line]);
      }
    }
    const ids = lines.flatMap(([, l]) => (l.kind === 'run' ? [l.listing.row(l.index)?.id ?? ''] : [])).filter(Boolean);
    const shorts = shortIds(ids);
    const focused = document.activeElement as HTMLElement | null;
    const focusedKey = focused && this.body.contains(focused) ? focused.closest<HTMLElement>('.nbtrack-trow')?.dataset.key : undefined;
    const drawn = new Map<string, IDrawn>();
    const nodes: HTMLElement[] = [];
    for (const [position, line] of lines) {
      let key: string;
      let signature: string;
      let make: () => HTMLElement;
      if (line.kind === 'group') {
        key = `g:${groupKey(line.group)}`;
        signature = JSON.stringify([line.group, line.open, this.layoutVersion, position === this.active]);
        make = () => this.groupLine(line.group, line.open, position);
      } else {
        const row = line.listing.row(line.index);
        if (!row) {
          void model.fetch(line.listing, Math.floor(line.index / PAGE));
          key = `p:${position}`;
          signature = `${this.layoutVersion}`;
          make = () => this.placeholder();
        } else {
          key = `r:${line.listing.where}:${row.id}`;
          const selected = this.selected.has(row.id);
          signature = JSON.stringify([row, selected, shorts.get(row.id), this.layoutVersion, position === this.active]);
          make = () => this.runLine(row, shorts.get(row.id) ?? row.id, position, selected);
        }
      }
      let entry = this.drawn.get(key);
      if (!entry || (entry.signature !== signature && this.editing !== key)) {
        entry = { node: make(), signature };
        entry.node.dataset.key = key;
      }
      entry.node.style.top = `${position * ROW_HEIGHT}px`;
      entry.node.dataset.position = String(position);
      entry.node.tabIndex = position === this.active ? 0 : -1;
      drawn.set(key, entry);
      nodes.push(entry.node);
    }
    this.drawn = drawn;
    const current = this.body.children;
    if (current.length !== nodes.length || nodes.some((node, i) => current[i] !== node)) {
      this.body.replaceChildren(...nodes);
    }
    if (focusedKey && !this.body.contains(focused)) {
      drawn.get(focusedKey)?.node.focus({ preventScroll: true }); // a live update replaced the focused line
    }
  }

  private placeholder(): HTMLElement {
    const node = h('div', { class: 'nbtrack-trow nbtrack-loading-row', attrs: { role: 'row' } },
      this.cell('nbtrack-td nbtrack-select-cell nbtrack-pinned', SELECT_WIDTH, 0),
      this.cell('nbtrack-td nbtrack-name-cell nbtrack-pinned nbtrack-muted', NAME_WIDTH, SELECT_WIDTH, 'loading...'));
    node.style.width = `${this.totalWidth}px`;
    return node;
  }

  private runLine(row: ITableRow, short: string, position: number, selected: boolean): HTMLElement {
    const box = h('input', { class: 'nbtrack-select', attrs: { type: 'checkbox', 'aria-label': `select ${row.name}` } });
    box.checked = selected;
    box.tabIndex = -1;
    box.addEventListener('click', event => {
      event.stopPropagation();
      this.tick(row.id, position, box.checked, event.shiftKey);
    });
    const name = h('button', { class: 'nbtrack-run-link', title: `open ${row.name} (${row.id})` }, row.name);
    name.tabIndex = -1;
    name.addEventListener('click', event => {
      event.stopPropagation();
      this.actions.openRun(row.id);
    });
    const rename = h('button', { class: 'nbtrack-icon-button nbtrack-rename', title: 'rename (F2)',
      attrs: { 'aria-label': `rename ${row.name}` } }, '✎');
    rename.tabIndex = -1;
    rename.addEventListener('click', event => {
      event.stopPropagation();
      this.rename(row, position);
    });
    const link = h('button', { class: 'nbtrack-icon-button nbtrack-run-copy-link', title: 'copy a link to this run' }, '🔗');
    link.tabIndex = -1;
    link.addEventListener('click', event => {
      event.stopPropagation();
      copyLink(labLink('nbtrack-run', row.id));
    });
    const swatch = h('span', { class: 'nbtrack-swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.background = runColour(row.id);
    const nameCell = this.cell('nbtrack-td nbtrack-name-cell nbtrack-pinned', NAME_WIDTH, SELECT_WIDTH, swatch, name,
      h('span', { class: 'nbtrack-short-id', title: row.id }, short),
      row.archived ? h('span', { class: 'nbtrack-archived-badge' }, 'archived') : '', rename, link);
    const note = this.cell('nbtrack-td nbtrack-note-cell', NOTE_WIDTH, undefined,
      row.note_excerpt || h('span', { class: 'nbtrack-muted' }, '+ note'));
    note.title = row.note_excerpt ? `${row.note_excerpt}\n(click to edit the note)` : 'add a note';
    note.addEventListener('click', event => {
      event.stopPropagation();
      this.actions.editNote(row.id, () => this.refresh());
    });
    const node = h('div', { class: `nbtrack-trow${selected ? ' nbtrack-selected' : ''}${row.archived ? ' nbtrack-archived' : ''}`
      + `${position === this.active ? ' nbtrack-active' : ''}`, attrs: { role: 'row', 'data-run-id': row.id,
      'aria-selected': String(selected) } },
    this.cell('nbtrack-td nbtrack-select-cell nbtrack-pinned', SELECT_WIDTH, 0, box), nameCell,
    ...this.columns.map(c => this.valueCell(row, c)), note);
    node.style.width = `${this.totalWidth}px`;
    node.addEventListener('click', () => this.setActive(position));
    node.addEventListener('dblclick', event => {
      if (!(event.target as HTMLElement).closest('button, input')) {
        this.actions.openRun(row.id);
      }
    });
    return node;
  }

  private valueCell(row: ITableRow, field: string): HTMLElement {
    const pinnedAt = this.offsets.get(field);
    const value = field in row.values ? row.values[field] : runField(row, field);
    let content: Node | string;
    if (field === 'status') {
      content = h('span', { class: `nbtrack-status nbtrack-status-${String(value)}` }, String(value ?? '-'));
    } else if (field === 'duration') {
      content = row.ended_at === null && row.status === 'running' ? 'running' : value === null || value === undefined
        ? '-' : duration(Number(value));
    } else if (field === 'started' || field === 'started_at') {
      content = typeof value === 'string' ? age(value) : formatValue(value);
    } else {
      content = formatValue(value);
    }
    const cell = this.cell(`nbtrack-td${typeof value === 'number' ? ' nbtrack-number' : ''}`
      + `${pinnedAt !== undefined ? ' nbtrack-pinned' : ''}`, this.columnLayout.width(field), pinnedAt, content);
    cell.title = `${field}: ${value === undefined || value === null ? '-' : typeof value === 'string' ? value : JSON.stringify(value)}`;
    return cell;
  }

  private groupLine(group: IGroup, open: boolean, position: number): HTMLElement {
    const label = `${this.model.state.group} = ${formatValue(group.value)}`;
    const node = h('div', { class: `nbtrack-trow nbtrack-group-row${position === this.active ? ' nbtrack-active' : ''}`,
      attrs: { role: 'row', 'aria-expanded': String(open) } },
    this.cell('nbtrack-td nbtrack-select-cell nbtrack-pinned', SELECT_WIDTH, 0, open ? '▾' : '▸'),
    this.cell('nbtrack-td nbtrack-name-cell nbtrack-pinned', NAME_WIDTH, SELECT_WIDTH,
      h('span', { class: 'nbtrack-group-label' }, label), h('span', { class: 'nbtrack-group-count' },
        `${group.count} run${group.count === 1 ? '' : 's'}`)),
    ...this.columns.map(c => {
      const stats = group.stats[c];
      const mean = stats && stats.mean !== null ? formatNumber(stats.mean) : '';
      const std = stats && stats.std !== null && stats.count > 1 ? ` ± ${formatNumber(stats.std)}` : '';
      const cell = this.cell(`nbtrack-td nbtrack-number${this.offsets.has(c) ? ' nbtrack-pinned' : ''}`,
        this.columnLayout.width(c), this.offsets.get(c), mean, std ? h('span', { class: 'nbtrack-std' }, std) : '');
      if (stats) {
        cell.title = `${c}: mean ${mean}${std} over ${stats.count} run${stats.count === 1 ? '' : 's'}`;
      }
      return cell;
    }),
    this.cell('nbtrack-td nbtrack-note-cell', NOTE_WIDTH, undefined));
    node.style.width = `${this.totalWidth}px`;
    if (group.where === null) {
      node.title = 'this value cannot be written in a filter (a list, or no value): its runs are not listed here';
    }
    node.addEventListener('click', () => {
      this.setActive(position);
      this.model.toggleGroup(group);
    });
    return node;
  }

  private refreshGroupOptions(): void {
    const wanted = ['', ...this.model.fields.filter(f => f.kind === 'param' || f.kind === 'tag'
      || (f.kind === 'run' && /sweep|experiment|status/.test(f.field))).map(f => f.field)];
    if (this.model.state.group && !wanted.includes(this.model.state.group)) {
      wanted.push(this.model.state.group);
    }
    const signature = wanted.join('\n');
    if (signature !== this.groupOptions) {
      this.groupOptions = signature;
      this.groupSelect.replaceChildren(...wanted.map(f => h('option', { attrs: { value: f } }, f || 'no grouping')));
    }
    this.groupSelect.value = this.model.state.group;
  }

  // --- selection, keyboard, editing ---

  private loadedRows(): ITableRow[] {
    const listings = this.model.state.group ? [...this.model.open.values()] : [this.model.main];
    return listings.flatMap(l => [...l.pages.values()].flat());
  }

  private selectedIds(): string[] {
    return [...this.selected];
  }

  private tick(id: string, position: number, on: boolean, range: boolean): void {
    if (range && this.anchor !== null) {
      const [from, to] = [Math.min(this.anchor, position), Math.max(this.anchor, position)];
      for (let p = from; p <= to; p += 1) {
        const line = this.model.line(p);
        const row = line?.kind === 'run' ? line.listing.row(line.index) : undefined;
        if (row) {
          if (on) {
            this.selected.add(row.id);
          } else {
            this.selected.delete(row.id);
          }
        }
      }
    } else if (on) {
      this.selected.add(id);
    } else {
      this.selected.delete(id);
    }
    this.anchor = position;
    this.updateSelection();
    this.paint();
  }

  private clearSelection(): void {
    this.selected.clear();
    this.updateSelection();
    this.paint();
  }

  private updateSelection(): void {
    const n = this.selected.size;
    this.selectionCount.textContent = n ? `${n} selected` : 'none selected';
    this.bulkButtons.forEach(b => {
      b.disabled = n === 0;
    });
    this.compareButton.disabled = n < 2 || n > MAX_COMPARE;
    this.compareButton.textContent = n ? `Compare (${n})` : 'Compare';
    this.compareButton.title = n > MAX_COMPARE ? `compare takes at most ${MAX_COMPARE} runs; untick some`
      : n < 2 ? 'tick at least two runs to compare' : 'compare the selected runs';
    this.bulkButtons[1].disabled = n < 2 || n > MAX_COMPARE;
    const all = this.header.querySelector<HTMLInputElement>('.nbtrack-select-all');
    if (all) {
      const loaded = this.loadedRows();
      all.checked = loaded.length > 0 && loaded.every(r => this.selected.has(r.id));
    }
  }

  private async bulk(action: BulkAction): Promise<void> {
    const ids = this.selectedIds();
    try {
      const result = await bulkAction(action, ids);
      if (!result) {
        return;
      }
      if (action === 'delete' || (action === 'archive' && this.model.state.archived === 'hide')
        || (action === 'restore' && this.model.state.archived === 'only')) {
        result.done.forEach(id => this.selected.delete(id)); // they left the listing
      }
      this.updateSelection();
      await this.model.reload();
    } catch (error) {
      await showErrorMessage(`${action} failed`, (error as Error).message);
    }
  }

  private setActive(position: number): void {
    const before = this.active;
    this.active = position;
    if (before !== position) {
      this.paint();
    }
  }

  private focusLine(position: number): void {
    const count = this.model.lineCount();
    if (!count) {
      return;
    }
    this.active = Math.max(0, Math.min(count - 1, position));
    const top = this.active * ROW_HEIGHT;
    const header = this.header.offsetHeight;
    const view = this.scroller.clientHeight - header;
    if (top < this.scroller.scrollTop) {
      this.scroller.scrollTop = top;
    } else if (top + ROW_HEIGHT > this.scroller.scrollTop + view) {
      this.scroller.scrollTop = top + ROW_HEIGHT - view;
    }
    this.paint();
    this.body.querySelector<HTMLElement>(`[data-position="${this.active}"]`)?.focus({ preventScroll: true });
  }

  private onKey(event: KeyboardEvent): void {
    if ((event.target as HTMLElement).closest('input[type=text], .nbtrack-rename-input')) {
      return;
    }
    const pageSize = Math.max(1, Math.floor((this.scroller.clientHeight - this.header.offsetHeight) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: pageSize, PageUp: -pageSize };
    const line = this.model.line(this.active);
    const row = line?.kind === 'run' ? line.listing.row(line.index) : undefined;
    if (event.key in moves) {
      this.focusLine(this.active + moves[event.key]);
    } else if (event.key === 'Home') {
      this.focusLine(0);
    } else if (event.key === 'End') {
      this.focusLine(this.model.lineCount() - 1);
    } else if (event.key === 'Enter' && line?.kind === 'group') {
      this.model.toggleGroup(line.group);
      window.requestAnimationFrame(() => this.focusLine(this.active));
    } else if (event.key === 'Enter' && row) {
      this.actions.openRun(row.id);
    } else if (event.key === ' ' && row) {
      this.tick(row.id, this.active, !this.selected.has(row.id), event.shiftKey);
      this.focusLine(this.active);
    } else if (event.key === 'F2' && row) {
      this.rename(row, this.active);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  /** Edit the name in place: Enter saves (PATCH /runs/<id>), Escape keeps the old one; an error stays on the field. */
  private rename(row: ITableRow, position: number): void {
    const node = this.body.querySelector<HTMLElement>(`[data-position="${position}"]`);
    const link = node?.querySelector<HTMLElement>('.nbtrack-run-link');
    if (!node || !link) {
      return;
    }
    this.editing = node.dataset.key ?? null;
    const input = h('input', { class: 'nbtrack-rename-input jp-mod-styled', attrs: { type: 'text',
      'aria-label': 'run name', maxlength: '200' } });
    input.value = row.name;
    link.replaceWith(input);
    input.focus();
    input.select();
    const finish = (): void => {
      this.editing = null;
      this.drawn.delete(node.dataset.key ?? '');
      this.paint();
      this.focusLine(position);
    };
    input.addEventListener('click', event => event.stopPropagation());
    input.addEventListener('keydown', async event => {
      event.stopPropagation();
      if (event.key === 'Escape') {
        finish();
      } else if (event.key === 'Enter') {
        const name = input.value.trim();
        try {
          await requestAPI(`runs/${encodeURIComponent(row.id)}`, 'PATCH', { name });
          row.name = name;
          finish();
        } catch (error) {
          input.classList.add('nbtrack-invalid');
          input.title = (error as Error).message;
          this.filter.showError(`rename: ${(error as Error).message}`);
        }
      }
    });
  }

  private readonly model = new TableModel();
  private readonly columnLayout = new ColumnLayout();
  private readonly filter: FilterBox;
  private readonly experimentSelect: HTMLSelectElement;
  private readonly archivedSelect: HTMLSelectElement;
  private readonly groupSelect: HTMLSelectElement;
  private readonly constantBox: HTMLInputElement;
  private readonly countLine: HTMLSpanElement;
  private readonly selectionCount: HTMLSpanElement;
  private readonly compareButton: HTMLButtonElement;
  private readonly bulkButtons: HTMLButtonElement[];
  private readonly header: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly selected = new Set<string>();
  private readonly offsets = new Map<string, number>();
  private drawn = new Map<string, IDrawn>();
  private columns: string[] = [];
  private columnsSeen = '';
  private groupOptions = '';
  private viewName = '';
  private editing: string | null = null;
  private anchor: number | null = null;
  private active = 0;
  private firstShown = 0;
  private lastShown = 0;
  private totalWidth = 0;
  private layoutVersion = 0;
  private started = false;
  private resizing = false;
  private timer = 0;
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
