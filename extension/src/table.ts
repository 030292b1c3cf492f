/** The runs table in Lab's main area: toolbar, selection bar and a virtualized grid paged and sorted by the server. */

import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ColumnLayout, NAME_WIDTH, NOTE_WIDTH, SELECT_WIDTH } from './columns';
import { h } from './dom';
import { shortIds } from './format';
import { requestAPI } from './request';
import { Selection } from './selection';
import { IHeaderOwner, TableHeader } from './tableHeader';
import { groupLine, ILineActions, ILineLayout, placeholderLine, runLine } from './tableLines';
import { groupKey, Line, Listing, PAGE, TableModel } from './tableModel';
import { IToolbarOwner, TableToolbar } from './tableToolbar';
import { ISavedView, ITableRow } from './tableTypes';
import { findView } from './views';

const ROW_HEIGHT = 32;
/** Characters of a note in a row, as the server cuts note_excerpt (nbtrack.store.table.EXCERPT). */
const EXCERPT = 120;
/** A group's row holds its value and count, and a mean above its ± sd. */
const GROUP_HEIGHT = 46;
const REFRESH_MS = 2000;

export interface ITableActions {
  openRun(id: string): void;
  compare(ids: string[]): void;
  editNote(id: string, saved: (note: string) => void): void;
  /** nbtrack:open-charts on these runs, or on the runs this filter selects. */
  openCharts(scope: { ids?: string[]; where?: string }): void;
  /** nbtrack:open-analysis on these runs, this filter's runs, or a sweep. */
  openAnalysis(scope: { ids?: string[]; where?: string; sweep?: string }): void;
}

/** A drawn line: its node and what it was drawn from, so an unchanged line is kept as it is. */
interface IDrawn {
  node: HTMLElement;
  signature: string;
}

export class RunsTable extends Widget implements IHeaderOwner, ILineLayout, IToolbarOwner {
  constructor(private readonly actions: ITableActions) {
    super();
    this.id = 'nbtrack-table';
    this.title.label = 'Runs';
    this.title.closable = true;
    this.addClass('nbtrack-runs-table');
    this.model.changed = () => this.paint();
    this.model.failed = message => {
      this.toolbar.filter.showError(message);
      this.node.classList.toggle('nbtrack-stale', !!message); // the rows shown are the last good results
    };

    this.selection = new Selection({
      rowAt: position => {
        const line = this.model.line(position);
        return line?.kind === 'run' ? line.listing.row(line.index) : undefined;
      },
      loadedRows: () => this.loadedRows(),
      archived: () => this.model.state.archived,
      compare: ids => this.actions.compare(ids),
      changed: () => {
        this.header.syncSelectAll();
        this.paint();
      },
      acted: () => this.model.reload()
    });

    this.header = new TableHeader(this);
    this.body = h('div', { class: 'nbtrack-tbody', attrs: { role: 'rowgroup' } });
    this.scroller = h('div', { class: 'nbtrack-grid', attrs: { role: 'grid', 'aria-label': 'runs', tabindex: '0' } },
      this.header.node, this.body);
    this.scroller.addEventListener('scroll', () => this.paint());
    this.scroller.addEventListener('keydown', event => this.onKey(event));
    this.scroller.addEventListener('focus', event => {
      if (event.target === this.scroller) {
        this.focusLine(this.active);
      }
    });

    this.toolbar = new TableToolbar(this, this.selection.node, {
      charts: () => this.actions.openCharts(this.scope()),
      analyse: () => this.actions.openAnalysis({ ...this.scope(), sweep: this.sweep() })
    });
    this.node.append(this.toolbar.node, this.scroller);
    this.relayout();
  }

  /** Open with a saved view or a filter (the command's args); no args keeps the table as it is. */
  async open(args: { view?: string; where?: string }): Promise<void> {
    if (args.view) {
      try {
        this.applyView(await findView(args.view));
      } catch (error) {
        this.toolbar.filter.showError((error as Error).message);
      }
    } else if (args.where !== undefined) {
      this.toolbar.filter.value = args.where;
      this.model.state.where = args.where;
      this.filtered();
    }
  }

  applyView(view: ISavedView): void {
    this.model.state = { where: view.where ?? '', experiment: view.experiment ?? '', columns: [...(view.columns ?? [])],
      order: view.order?.length ? [...view.order] : ['-started'], group: view.group ?? '',
      archived: view.archived ?? 'hide' };
    this.model.columnsChosen = this.model.state.columns.length > 0;
    const layout = this.columnLayout;  // the view's pins and widths, or the table's defaults
    layout.pinned.clear();
    (view.pinned ?? []).forEach(field => layout.pinned.add(field));
    layout.widths.clear();
    Object.entries(view.widths ?? {}).forEach(([field, width]) => layout.widths.set(field, width));
    this.relayout();
    this.toolbar.filter.value = this.model.state.where;
    this.model.open.clear();
    this.named(view.name);
    this.filtered();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    void this.toolbar.loadExperiments();
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

  named(name: string): void {
    this.viewName = name;
    this.title.label = name ? `Runs: ${name}` : 'Runs';
  }

  /** The filter, experiment or archived toggle changed: the selection is of runs no longer listed. */
  filtered(): void {
    this.selection.clear();
    this.scroller.scrollTop = 0;
    this.active = 0;
    void this.model.reload();
  }

  setColumns(columns: string[]): void {
    this.model.state.columns = columns;
    this.model.columnsChosen = true;
    void this.model.reload({ rows: true, groups: true });
  }

  /** Re-read what is on screen every 2 s: running runs move, new runs appear; scroll, selection and focus stay. */
  private refresh(): void {
    if (!this.isVisible || this.editing || document.hidden || this.model.busy) {
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
    return this.toolbar.hideConstant ? columns.filter(c => !this.isConstant(c)) : columns;
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
  relayout(): void {
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
    this.header.draw(this.columns, this.offsets, this.totalWidth);
    this.paint();
  }

  groupBy(field: string): void {
    this.model.state.group = field;
    this.model.open.clear();
    this.scroller.scrollTop = 0;
    this.relayout(); // the header's tooltips name the group rows' mean ± sd
    void this.model.reload(field ? { groups: true } : { rows: true });
  }

  setOrder(order: string[]): void {
    this.model.state.order = order;
    this.scroller.scrollTop = 0; // a new order starts at its top
    this.relayout();
    void this.model.reload({ rows: true });
  }

  /** Draw the lines in view (and a margin), keeping unchanged ones; fetch the pages they need. */
  private paint(): void {
    if (this.header.node.childElementCount === 0) {
      return;
    }
    const model = this.model;
    const count = model.lineCount();
    this.toolbar.sync();
    // the header names columns by their fields' labels: drawn again once the labels arrive
    if (this.columnsSeen !== model.state.columns.join('\n') || this.fieldsSeen !== model.fields) {
      this.columnsSeen = model.state.columns.join('\n');
      this.fieldsSeen = model.fields;
      this.relayout();
      return;
    }
    this.groupLines = model.state.group ? model.groupPositions() : [];
    this.body.style.height = `${this.topOf(count)}px`;
    this.body.style.width = `${this.totalWidth}px`;
    const height = this.scroller.clientHeight || 600;
    const top = Math.max(0, this.scroller.scrollTop - this.header.node.offsetHeight);
    const first = Math.max(0, this.positionAt(top) - 5);
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
        make = () => groupLine(this, this.lineActions, this.model.state.group, line.group, position,
          { open: line.open, active: position === this.active });
      } else {
        const row = line.listing.row(line.index);
        if (!row) {
          void model.fetch(line.listing, Math.floor(line.index / PAGE));
          key = `p:${position}`;
          signature = `${this.layoutVersion}`;
          make = () => placeholderLine(this);
        } else {
          key = `r:${line.listing.where}:${row.id}`;
          const selected = this.selection.has(row.id);
          signature = JSON.stringify([row, selected, shorts.get(row.id), this.layoutVersion, position === this.active]);
          make = () => runLine(this, this.lineActions, row, shorts.get(row.id) ?? row.id, position,
            { selected, active: position === this.active });
        }
      }
      let entry = this.drawn.get(key);
      if (!entry || (entry.signature !== signature && this.editing !== key)) {
        entry = { node: make(), signature };
        entry.node.dataset.key = key;
      }
      entry.node.style.top = `${this.topOf(position)}px`;
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

  /** Where a line starts: run lines are ROW_HEIGHT tall, group lines GROUP_HEIGHT. */
  private topOf(position: number): number {
    const groups = this.groupLines.filter(p => p < position).length;
    return position * ROW_HEIGHT + groups * (GROUP_HEIGHT - ROW_HEIGHT);
  }

  private heightOf(position: number): number {
    return this.groupLines.includes(position) ? GROUP_HEIGHT : ROW_HEIGHT;
  }

  /** The line at a height in the body. */
  private positionAt(y: number): number {
    let position = Math.floor(y / ROW_HEIGHT);
    while (position > 0 && this.topOf(position) > y) {
      position -= 1;
    }
    return position;
  }

  /** The ticked runs, else the runs of the filter and experiment shown. */
  private scope(): { ids?: string[]; where?: string } {
    const ids = this.selection.ids();
    if (ids.length) {
      return { ids };
    }
    const { where, experiment } = this.model.state;
    const parts = [experiment && `experiment = '${experiment.replace(/'/g, "''")}'`, where.trim() && `(${where.trim()})`];
    return { where: parts.filter(Boolean).join(' and ') };
  }

  /** The sweep the table shows: the filter names one, or the rows are grouped by tags.sweep (the active or only group). */
  private sweep(): string | undefined {
    const named = /^\s*\(?\s*tags\.sweep\s*=\s*'((?:[^']|'')*)'\s*\)?\s*$/.exec(this.model.state.where);
    if (named) {
      return named[1].replace(/''/g, "'");
    }
    if (this.model.state.group !== 'tags.sweep' || this.selection.ids().length) {
      return undefined;
    }
    const groups = this.model.groups.filter(g => g.value !== null && g.value !== undefined);
    let group = groups.length === 1 ? groups[0] : undefined;
    for (let position = this.active; position >= 0 && !group; position -= 1) {
      const line = this.model.line(position);
      group = line?.kind === 'group' ? line.group : undefined;
    }
    return group && group.value !== null ? String(group.value) : undefined;
  }

  // --- selection, keyboard, editing ---

  allSelected(): boolean {
    return this.selection.allSelected();
  }

  selectAll(on: boolean): void {
    this.selection.selectAll(on);
  }

  private readonly lineActions: ILineActions = {
    tick: (id, position, on, range) => this.selection.tick(id, position, on, range),
    openRun: id => this.actions.openRun(id),
    rename: (row, position) => this.rename(row, position),
    editNote: id => this.actions.editNote(id, note => this.model.patchRow(id, { note_excerpt: excerpt(note) })),
    setActive: position => this.setActive(position),
    toggleGroup: group => this.model.toggleGroup(group)
  };

  private loadedRows(): ITableRow[] {
    const listings = this.model.state.group ? [...this.model.open.values()] : [this.model.main];
    return listings.flatMap(l => [...l.pages.values()].flat());
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
    const top = this.topOf(this.active);
    const bottom = top + this.heightOf(this.active);
    const header = this.header.node.offsetHeight;
    const view = this.scroller.clientHeight - header;
    if (top < this.scroller.scrollTop) {
      this.scroller.scrollTop = top;
    } else if (bottom > this.scroller.scrollTop + view) {
      this.scroller.scrollTop = bottom - view;
    }
    this.paint();
    this.body.querySelector<HTMLElement>(`[data-position="${this.active}"]`)?.focus({ preventScroll: true });
  }

  private onKey(event: KeyboardEvent): void {
    if ((event.target as HTMLElement).closest('input[type=text], .nbtrack-rename-input')) {
      return;
    }
    const pageSize = Math.max(1, Math.floor((this.scroller.clientHeight - this.header.node.offsetHeight) / ROW_HEIGHT) - 1);
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
      this.selection.tick(row.id, this.active, !this.selection.has(row.id), event.shiftKey);
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
          this.model.patchRow(row.id, { name }); // every loaded copy of the row, before the next refresh
          finish();
        } catch (error) {
          input.classList.add('nbtrack-invalid');
          input.title = (error as Error).message;
          this.toolbar.filter.showError(`rename: ${(error as Error).message}`);
        }
      }
    });
  }

  readonly model = new TableModel();
  readonly columnLayout = new ColumnLayout();
  private readonly header: TableHeader;
  private readonly toolbar: TableToolbar;
  private readonly selection: Selection;
  private readonly body: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  readonly offsets = new Map<string, number>();
  private drawn = new Map<string, IDrawn>();
  columns: string[] = [];
  private columnsSeen = '';
  private fieldsSeen: unknown = null;
  /** The positions of group lines, as of the last paint. */
  private groupLines: number[] = [];
  viewName = '';
  private editing: string | null = null;
  private active = 0;
  private firstShown = 0;
  private lastShown = 0;
  totalWidth = 0;
  private layoutVersion = 0;
  private started = false;
  private timer = 0;
}

/** A saved note as the server's note_excerpt: whitespace collapsed, its first characters. */
function excerpt(note: string): string {
  return note.split(/\s+/).filter(Boolean).join(' ').slice(0, EXCERPT);
}
