/** The Runs sidebar: experiment, filter and sort; a virtualized list paged from the server; auto-refresh. */

import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { age, h } from './dom';
import { formatValue, paletteColour, shortIds } from './format';
import { executionLabel } from './identity';
import { ApiError, query, requestAPI } from './request';
import { IExecution, IExperiment, IField, IFields, IRun, IRunPage } from './types';

const ROW_HEIGHT = 46;
const PAGE = 100;
const REFRESH_MS = 1500;
const ROW_METRICS = 4;
const FIELDS_AGAIN_MS = 5000;
const MAX_EXECUTIONS = 5;
// The row's status as a mark (its word is the title and in the row's label): the name gets the width.
const STATUS_MARKS: Record<string, string> = {
  running: '●', finished: '✓', failed: '✗', killed: '■', timeout: '⏱', lost: '?'
};
const FIXED_ORDERS = ['started', 'name', 'status', 'duration'];
const KIND_GROUPS: [IField['kind'], string][] = [['metric', 'metrics'], ['param', 'params'], ['tag', 'tags'],
  ['data', 'data']];
// Typing while a request is out: query after a pause this short (one request per burst of keys, not per
// key); with none out, and on Enter, query at once.
const DEBOUNCE_MS = 40;
// A filter that does not parse yet is usually one still being typed: say so only once typing pauses.
const ERROR_DELAY_MS = 500;

/** What the list asks the server for; `key` tells two queries apart. */
interface IQuery {
  where: string;
  experiment: string;
  order: string;
  key: string;
}

/** The runs on screen: the last query the server answered, and its pages. */
interface IShown {
  query: IQuery;
  pages: Map<number, IRun[]>;
  total: number;
}

/** A row on screen and what it was drawn from. */
interface IDrawnRow {
  signature: string;
  node: HTMLElement;
  started: string;
}

export interface ISidebarActions {
  openRun(id: string): void;
  compare(ids: string[]): void;
  /** Show an execution's progress tab: the one already open, else a new one. */
  openExecution(execution: IExecution): void;
  /** Open the main-area runs table; absent or not ready: the header shows no button for it. */
  openTable?(): void;
  canOpenTable?(): boolean;
}

export class RunsSidebar extends Widget {
  constructor(private readonly actions: ISidebarActions) {
    super();
    this.id = 'nbtrack-runs';
    this.title.caption = 'nbtrack runs';
    this.addClass('nbtrack-sidebar');

    this.experimentSelect = h('select', { class: 'nbtrack-experiment', title: 'experiment' });
    this.experimentSelect.append(h('option', { attrs: { value: '' } }, 'all experiments'));
    this.experimentSelect.addEventListener('change', () => {
      void this.loadFields();
      this.reload();
    });

    this.filterInput = h('input', {
      class: 'nbtrack-filter jp-mod-styled',
      attrs: {
        type: 'search', placeholder: "filter: params.model = 'rf' and metrics.test.f1 > 0.9", spellcheck: 'false',
        'aria-label': 'filter runs'
      }
    });
    this.filterInput.addEventListener('input', () => {
      window.clearTimeout(this.debounce);
      if (this.inflight) {
        this.debounce = window.setTimeout(() => this.reload(), DEBOUNCE_MS);
      } else {
        this.reload(); // nothing out: ask at once (a paste, or the first key after a pause)
      }
    });
    this.filterInput.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        window.clearTimeout(this.debounce);
        this.reload(true, true);
      }
    });
    this.errorLine = h('div', { class: 'nbtrack-filter-error', attrs: { role: 'alert' } });

    this.orderSelect = h('select', { class: 'nbtrack-order', title: 'sort by' });
    this.setOrderOptions([]);
    this.orderSelect.addEventListener('change', () => this.reload());
    this.directionButton = h('button', { class: 'nbtrack-direction jp-mod-styled', title: 'reverse the order' }, '↓');
    this.directionButton.addEventListener('click', () => {
      this.descending = !this.descending;
      this.directionButton.textContent = this.descending ? '↓' : '↑';
      this.reload();
    });
    this.compareButton = h('button', { class: 'nbtrack-compare-button jp-mod-styled jp-mod-accept' }, 'Compare');
    this.compareButton.addEventListener('click', () => this.actions.compare([...this.selected]));
    this.clearButton = h('button', { class: 'nbtrack-clear-button jp-mod-styled', title: 'untick every run' },
      'Clear');
    this.clearButton.addEventListener('click', () => this.clearSelection());
    this.countLine = h('span', { class: 'nbtrack-count', attrs: { 'aria-live': 'polite' } });
    this.selectionLine = h('div', { class: 'nbtrack-selection', attrs: { 'aria-live': 'polite' } });
    this.tableButton = h('button', {
      class: 'nbtrack-open-table jp-mod-styled', title: 'open the runs table in the main area (columns, groups, views)'
    }, 'Open table');
    this.tableButton.addEventListener('click', () => this.actions.openTable?.());

    this.spacer = h('div', { class: 'nbtrack-spacer' });
    this.scroller = h('div', {
      class: 'nbtrack-list',
      attrs: {
        role: 'listbox', tabindex: '0', 'aria-multiselectable': 'true',
        'aria-label': 'runs: arrow keys move, Enter opens, Space ticks for Compare'
      }
    }, this.spacer);
    this.scroller.addEventListener('scroll', () => this.paint());
    this.scroller.addEventListener('keydown', event => this.onListKey(event));
    this.scroller.addEventListener('focus', () => {
      if (this.active < 0 && this.shown.total) {
        this.moveActive(0);
      }
    });

    this.node.append(
      h('div', { class: 'nbtrack-sidebar-head' },
        h('div', { class: 'nbtrack-title-line' }, h('div', { class: 'nbtrack-title' }, 'Runs'), this.tableButton),
        this.experimentSelect,
        this.filterInput,
        this.errorLine,
        h('div', { class: 'nbtrack-toolbar' }, h('label', {}, 'sort ', this.orderSelect), this.directionButton,
          this.countLine),
        h('div', { class: 'nbtrack-toolbar' }, this.selectionLine, this.clearButton, this.compareButton),
        this.executionsList
      ),
      this.scroller
    );
    this.updateSelection();
    this.updateTableButton();
  }

  /**
   * Ask for the first page of the current experiment, filter and order. The runs on screen stay
   * until the server answers: an answer replaces them, an error is shown under the filter and
   * leaves them (and the 1.5 s refresh goes on re-reading them, never the query that failed).
   * Requests still out for earlier queries are cancelled: only the newest answer is drawn.
   */
  reload(showErrorAtOnce = false, force = false): void {
    const next = this.currentQuery();
    if (!force && next.key === this.asked) {
      return; // unchanged (an input event that changed nothing): nothing to send
    }
    this.asked = next.key;
    this.generation += 1;
    this.controller.abort();
    this.controller = new AbortController();
    this.inflight = 0;
    window.clearTimeout(this.errorTimer);
    this.errorTimer = 0;
    this.errorAtOnce = showErrorAtOnce;
    void this.fetchFirst(next);
  }

  /** Ask again now, whatever changed (a launch from Lab): the runs on screen and this server's executions. */
  refresh(): void {
    this.reload(false, true);
    void this.loadExecutions();
  }

  /** Show or hide the "Open table" button as the command appears (another plugin registers it). */
  updateTableButton(): void {
    const can = !!this.actions.openTable && (this.actions.canOpenTable?.() ?? true);
    this.tableButton.hidden = !can;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    void this.loadExperiments();
    void this.loadFields();
    void this.loadExecutions();
    this.reload(false, true);
    this.timer = window.setInterval(() => this.refreshVisible(), REFRESH_MS);
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

  private currentQuery(): IQuery {
    const field = this.orderSelect.value || 'started';
    const order = this.descending ? `-${field}` : field;
    const where = this.filterInput.value.trim();
    const experiment = this.experimentSelect.value;
    return { where, experiment, order, key: JSON.stringify([where, experiment, order]) };
  }

  private async loadExperiments(): Promise<void> {
    const { experiments } = await requestAPI<{ experiments: IExperiment[] }>('experiments');
    const current = this.experimentSelect.value;
    for (const option of [...this.experimentSelect.options].slice(1)) {
      option.remove();
    }
    for (const e of experiments) {
      this.experimentSelect.append(h('option', { attrs: { value: e.name } }, `${e.name} (${e.runs})`));
    }
    this.experimentSelect.value = experiments.some(e => e.name === current) ? current : '';
  }

  /** Sort options: every field of the experiment's runs (not only those on the first page). */
  private async loadFields(): Promise<void> {
    const experiment = this.experimentSelect.value;
    try {
      const answer = await requestAPI<IFields>('runs/fields' + query({ experiment }));
      if (experiment !== this.experimentSelect.value) {
        return;
      }
      this.fieldsKnown = true;
      this.labels = new Map(answer.fields.map(f => [f.field, f.label]));
      this.setOrderOptions(answer.fields);
      if (this.shown.query.where) {
        void this.loadDefaultColumns(this.shown.query); // the filter's runs, not the experiment's
      } else {
        this.learnDefaultColumns(answer.default_columns);
        this.paint();
      }
    } catch {
      this.fieldsKnown = false; // a server without /runs/fields: learn from the runs on screen
    }
  }

  /** The columns that vary among the runs the filter matches: the metrics each row shows. */
  private async loadDefaultColumns(q: IQuery): Promise<void> {
    if (!this.fieldsKnown) {
      return;
    }
    try {
      const answer = await requestAPI<IFields>('runs/fields' + query({ where: q.where, experiment: q.experiment }));
      if (q.key === this.shown.query.key) {
        this.learnDefaultColumns(answer.default_columns);
        this.paint();
      }
    } catch {
      // keep the columns we have: the runs on screen still read
    }
  }

  /** A metric no field list had yet (a run logging as it goes): read the fields again, at most every few s. */
  private noticeNewFields(runs: IRun[]): void {
    if (!this.fieldsKnown || Date.now() - this.fieldsAsked < FIELDS_AGAIN_MS) {
      return;
    }
    const known = (k: string): boolean => this.labels.has(`metrics.${k}`) || this.labels.has(`metrics.\`${k}\``);
    if (runs.some(r => Object.keys(r.metrics).some(k => !known(k)))) {
      this.fieldsAsked = Date.now();
      void this.loadFields();
    }
  }

  private learnDefaultColumns(columns: string[]): void {
    this.defaultColumns = columns.filter(c => c.startsWith('metrics.'));
    this.defaultParams = columns.filter(c => c.startsWith('params.'));
  }

  private async fetchFirst(q: IQuery): Promise<void> {
    const generation = this.generation;
    const signal = this.controller.signal;
    this.inflight += 1;
    try {
      const page = await this.request(q, 0, signal);
      if (generation !== this.generation) {
        return; // an answer to a filter the user has already changed
      }
      window.clearTimeout(this.errorTimer);
      this.errorTimer = 0;
      this.retry = false;
      this.errorLine.textContent = '';
      this.filterInput.classList.remove('nbtrack-invalid');
      const changed = q.key !== this.shown.query.key;
      this.shown = { query: q, pages: new Map([[0, page.runs]]), total: page.total };
      if (changed) {
        this.scroller.scrollTop = 0;
        this.active = -1;
        void this.loadDefaultColumns(q);
        void this.countHiddenSelection();
      }
      if (!this.fieldsKnown) {
        this.learnMetricKeys(page.runs);
      }
      this.noticeNewFields(page.runs);
      this.paint();
    } catch (error) {
      if (generation !== this.generation || signal.aborted) {
        return;
      }
      const message = (error as Error).message;
      // A query the server refused (4xx) waits for the user to change it; anything else (the
      // server restarting, a lost connection) is asked again by the next refresh.
      this.retry = !(error instanceof ApiError && error.status >= 400 && error.status < 500);
      const showError = (): void => {
        if (generation === this.generation) {
          this.errorLine.textContent = message;
          this.filterInput.classList.add('nbtrack-invalid');
        }
      };
      if (this.errorAtOnce) {
        showError();
      } else if (!this.errorTimer) {
        this.errorTimer = window.setTimeout(() => {
          this.errorTimer = 0;
          showError();
        }, ERROR_DELAY_MS);
      }
    } finally {
      if (generation === this.generation) {
        this.inflight = Math.max(0, this.inflight - 1);
      }
    }
  }

  /** A further page (scrolling) or a page re-read (refresh) of the query on screen. */
  private async fetchPage(index: number): Promise<void> {
    if (this.loading.has(index)) {
      return;
    }
    const q = this.shown.query;
    const generation = this.generation;
    this.loading.add(index);
    try {
      const page = await this.request(q, index, this.controller.signal);
      if (generation !== this.generation || q.key !== this.shown.query.key) {
        return;
      }
      this.shown.total = page.total;
      this.shown.pages.set(index, page.runs);
      this.noticeNewFields(page.runs);
      this.paint();
    } catch {
      // a failed re-read keeps what is on screen; the next refresh tries again
    } finally {
      this.loading.delete(index);
    }
  }

  private request(q: IQuery, index: number, signal: AbortSignal): Promise<IRunPage> {
    return requestAPI<IRunPage>(
      'runs' + query({ where: q.where, experiment: q.experiment, order: q.order, limit: PAGE, offset: index * PAGE }),
      'GET', undefined, signal);
  }

  /** This server's launches, newest first: an entry per execution opens (or re-activates) its progress tab. */
  private async loadExecutions(): Promise<void> {
    let executions: IExecution[];
    try {
      ({ executions } = await requestAPI<{ executions: IExecution[] }>('executions'));
    } catch {
      return; // a server that lets this user read runs but not executions: no entries
    }
    this.executions = executions.slice(0, MAX_EXECUTIONS);
    const shorts = shortIds(this.executions.map(e => e.run_id).filter(Boolean));
    const entries = this.executions.map(e => {
      const label = executionLabel(e, shorts.get(e.run_id) ?? '');
      const total = Math.max(e.cells_total, e.cells_done, 1);
      const cell = e.failed_cell ?? (e.state === 'running' ? Math.min(e.cells_done + 1, total) : e.cells_done);
      const entry = h('button', {
        class: `nbtrack-execution-entry nbtrack-execution-${e.state}`,
        title: `show the progress of ${label}, ${e.notebook} (launched here)`, attrs: { 'data-execution-id': e.id }
      },
      h('span', { class: `nbtrack-status nbtrack-status-${e.state}`, title: e.state }, STATUS_MARKS[e.state] ?? '?'),
      h('span', { class: 'nbtrack-execution-notebook' }, label),
      h('span', { class: 'nbtrack-execution-cell' }, e.failed_cell ? `${e.state} in code cell ${e.failed_cell} of ${total}`
        : `${e.state} · code cell ${cell} of ${total}`, ` · ${e.notebook}`));
      entry.addEventListener('click', () => this.actions.openExecution(e));
      return entry;
    });
    this.executionsList.replaceChildren(
      ...(entries.length ? [h('div', { class: 'nbtrack-executions-title' }, 'Launched from Lab'), ...entries] : []));
  }

  /** Re-read the pages on screen: new runs appear and running runs update by themselves. */
  private refreshVisible(): void {
    if (this.isVisible && this.executions.some(e => e.state === 'running')) {
      void this.loadExecutions();
    }
    if (!this.isVisible || this.loading.size || this.inflight) {
      return;
    }
    if (this.retry) {
      this.retry = false;
      this.reload(false, true);
      return;
    }
    if (!this.shown.query.key) {
      return;
    }
    for (const index of this.visiblePages()) {
      void this.fetchPage(index);
    }
  }

  private visiblePages(): number[] {
    const top = Math.floor(this.scroller.scrollTop / ROW_HEIGHT);
    const bottom = top + Math.ceil((this.scroller.clientHeight || 600) / ROW_HEIGHT) + 1;
    const pages = new Set<number>();
    for (let row = top; row <= Math.min(bottom, Math.max(this.shown.total - 1, 0)); row += 1) {
      pages.add(Math.floor(row / PAGE));
    }
    return [...pages];
  }

  /** Without /runs/fields (an older server): sort options and row metrics from the runs on screen. */
  private learnMetricKeys(runs: IRun[]): void {
    const keys = new Set<string>();
    for (const run of runs) {
      Object.keys(run.metrics).forEach(k => keys.add(k));
    }
    const known = new Set([...this.orderSelect.options].map(o => o.value));
    const fields = [...keys].map(k => `metrics.${k}`);
    if (fields.some(f => !known.has(f))) {
      this.setOrderOptions([...new Set([...known, ...fields])].filter(f => f.startsWith('metrics.')).sort()
        .map(f => ({ field: f, kind: 'metric', label: f.slice(8), values: [] })));
    }
  }

  private setOrderOptions(fields: IField[]): void {
    const current = this.orderSelect.value || 'started';
    const runFacts = [...FIXED_ORDERS, ...fields.filter(f => f.kind === 'run' && !FIXED_ORDERS.includes(f.field))
      .map(f => f.field)];
    const groups = KIND_GROUPS.map(([kind, label]) => {
      const mine = fields.filter(f => f.kind === kind);
      return mine.length
        ? h('optgroup', { attrs: { label } }, ...mine.map(f => h('option', { attrs: { value: f.field } }, f.label)))
        : null;
    });
    this.orderSelect.replaceChildren(
      ...runFacts.map(f => h('option', { attrs: { value: f } }, f)),
      ...groups.filter((g): g is HTMLOptGroupElement => g !== null));
    this.orderSelect.value = current;
    if (this.orderSelect.value !== current) {
      this.orderSelect.value = 'started'; // the field is gone from this experiment
    }
  }

  /** The ids every row on screen shares the short-id and colour rules over: all loaded runs. */
  private loadedIds(): string[] {
    const ids: string[] = [];
    for (const page of this.shown.pages.values()) {
      page.forEach(r => ids.push(r.id));
    }
    return ids;
  }

  /**
   * Draw only the rows in view (plus a margin); fetch pages that are not loaded yet.
   * A row whose run has not changed is kept as it is (only its age is updated), so the
   * refresh every 1.5 s and a filter that keeps some rows touch only what changed.
   */
  private paint(): void {
    const total = this.shown.total;
    this.spacer.style.height = `${total * ROW_HEIGHT}px`;
    this.countLine.textContent = `${total} run${total === 1 ? '' : 's'}`;
    const ids = this.loadedIds();
    const shorts = shortIds(ids);
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - 5);
    const last = Math.min(total, first + Math.ceil(height / ROW_HEIGHT) + 10);
    const rows: HTMLElement[] = [];
    const drawn = new Map<string, IDrawnRow>();
    const now = Date.now();
    const sortField = this.shown.query.order.replace(/^-/, '');
    const oneSweep = this.isOneSweep();
    for (let i = first; i < last; i += 1) {
      const page = this.shown.pages.get(Math.floor(i / PAGE));
      if (!page) {
        void this.fetchPage(Math.floor(i / PAGE));
        continue;
      }
      const run = page[i % PAGE];
      if (run) {
        const key = `${i}:${run.id}`;
        const shown = this.rowValues(run, sortField, oneSweep);
        const look = { short: shorts.get(run.id) ?? run.id, colour: run.colour || paletteColour(0) };
        const signature = JSON.stringify([run.status, run.name, shown, look, this.selected.has(run.id)]);
        let row = this.drawn.get(key);
        if (!row || row.signature !== signature) {
          row = { signature, node: this.row(run, i, now, shown, look), started: run.started_at };
        } else {
          const ageNode = row.node.querySelector('.nbtrack-age');
          const text = age(row.started, now);
          if (ageNode && ageNode.textContent !== text) {
            ageNode.textContent = text;
          }
        }
        row.node.classList.toggle('nbtrack-active', i === this.active);
        drawn.set(key, row);
        rows.push(row.node);
      }
    }
    this.drawn = drawn;
    const current = this.spacer.children;
    if (current.length !== rows.length || rows.some((row, i) => current[i] !== row)) {
      this.spacer.replaceChildren(...rows);
    }
    this.markActive();
  }

  /**
   * What a row shows under its name: the sorted-by field first (a metric or a param), then the
   * metrics and the params that vary among the runs shown (the server's default columns), params
   * first when the runs listed are one sweep, ROW_METRICS in all; a run with none of those shows
   * its own metrics.
   */
  private rowValues(run: IRun, sortField: string, oneSweep: boolean): [string, string][] {
    const shown: [string, string][] = [];
    const seen = new Set<string>();
    const add = (field: string): void => {
      if (shown.length >= ROW_METRICS || seen.has(field)) {
        return;
      }
      const value = fieldValue(run, field);
      if (value !== undefined) {
        seen.add(field);
        shown.push([this.labels.get(field) ?? value[0], formatValue(value[1])]);
      }
    };
    if (sortField.startsWith('metrics.') || sortField.startsWith('params.')) {
      add(sortField);
    }
    const metrics = this.defaultColumns.slice(0, 2);
    const params = this.defaultParams.slice(0, 2);
    (oneSweep ? [...params, ...metrics] : [...metrics, ...params]).forEach(add);
    this.defaultColumns.forEach(add);
    this.defaultParams.forEach(add);
    if (!shown.length) {
      // none of the varying fields: the run's own metrics (a new key not in the field list yet)
      Object.keys(run.metrics).sort().forEach(k => add(`metrics.${k}`));
    }
    return shown;
  }

  /** Whether every loaded run carries the same `sweep` tag: the list is one sweep. */
  private isOneSweep(): boolean {
    const sweeps = new Set<string>();
    for (const page of this.shown.pages.values()) {
      page.forEach(r => sweeps.add(r.tags?.sweep ?? ''));
    }
    return sweeps.size === 1 && !sweeps.has('');
  }

  private row(run: IRun, index: number, now: number, shown: [string, string][],
              look: { short: string; colour: string }): HTMLElement {
    const ticked = this.selected.has(run.id);
    const box = h('input', {
      class: 'nbtrack-select', attrs: { type: 'checkbox', title: 'tick to compare', tabindex: '-1', 'aria-hidden': 'true' }
    });
    box.checked = ticked;
    box.addEventListener('click', event => event.stopPropagation());
    box.addEventListener('change', () => this.setTicked(run.id, box.checked));
    const swatch = h('span', { class: 'nbtrack-swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.background = look.colour;
    const name = run.name || look.short;
    const metrics = shown.map(([k, v]) =>
      h('span', { class: 'nbtrack-metric' }, h('span', { class: 'nbtrack-metric-key' }, k), ' ', v));
    const row = h('div', {
      class: 'nbtrack-row',
      attrs: {
        role: 'option', id: `nbtrack-row-${run.id}`, 'data-run-id': run.id, 'aria-selected': String(ticked),
        'aria-label': `${name} ${look.short} ${run.status}`
      }
    },
    h('div', { class: 'nbtrack-row-main' },
      // line 1 gives the name the full width: a sweep's names differ only past the experiment's
      h('div', { class: 'nbtrack-row-line nbtrack-row-title' },
        h('span', { class: `nbtrack-status nbtrack-status-${run.status}`, title: run.status },
          STATUS_MARKS[run.status] ?? '?'),
        swatch,
        h('span', { class: 'nbtrack-run-name', title: run.name ? `${run.name}\n${run.id}` : run.id }, name)),
      // the tick box starts line 2, so line 1 is the row's whole width for the name; a narrow
      // sidebar cuts the values off, so the line's tooltip holds each of them on its own line
      h('div', {
        class: 'nbtrack-row-line nbtrack-row-metrics',
        title: [look.short, ...shown.map(([k, v]) => `${k} ${v}`)].join('\n')
      },
        box,
        run.name ? h('span', { class: 'nbtrack-short-id', title: run.id }, look.short) : null,
        h('span', { class: 'nbtrack-age' }, age(run.started_at, now)),
        ...metrics))
    );
    row.style.top = `${index * ROW_HEIGHT}px`;
    row.style.height = `${ROW_HEIGHT}px`;
    row.addEventListener('click', () => {
      this.active = index;
      this.markActive();
      this.actions.openRun(run.id);
    });
    return row;
  }

  // -- the keyboard: the list is one tab stop; arrows move, Enter opens, Space ticks ---------

  private onListKey(event: KeyboardEvent): void {
    const total = this.shown.total;
    if (!total) {
      return;
    }
    const pageRows = Math.max(1, Math.floor((this.scroller.clientHeight || 600) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: this.active + 1, ArrowUp: this.active - 1, Home: 0, End: total - 1,
      PageDown: this.active + pageRows, PageUp: this.active - pageRows
    };
    if (event.key in moves) {
      this.moveActive(Math.max(0, Math.min(total - 1, moves[event.key])));
    } else if (event.key === 'Enter' || event.key === ' ') {
      const run = this.runAt(this.active);
      if (!run) {
        return;
      }
      if (event.key === 'Enter') {
        this.actions.openRun(run.id);
      } else {
        this.setTicked(run.id, !this.selected.has(run.id));
      }
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  private moveActive(index: number): void {
    this.active = index;
    const top = index * ROW_HEIGHT;
    const height = this.scroller.clientHeight || 600;
    if (top < this.scroller.scrollTop) {
      this.scroller.scrollTop = top;
    } else if (top + ROW_HEIGHT > this.scroller.scrollTop + height) {
      this.scroller.scrollTop = top + ROW_HEIGHT - height;
    }
    this.paint();
  }

  private markActive(): void {
    const run = this.runAt(this.active);
    for (const row of this.drawn.values()) {
      row.node.classList.toggle('nbtrack-active', !!run && row.node.dataset.runId === run.id &&
        parseFloat(row.node.style.top) === this.active * ROW_HEIGHT);
    }
    if (run) {
      this.scroller.setAttribute('aria-activedescendant', `nbtrack-row-${run.id}`);
    } else {
      this.scroller.removeAttribute('aria-activedescendant');
    }
  }

  private runAt(index: number): IRun | undefined {
    return index < 0 ? undefined : this.shown.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  // -- the selection: kept across filters, and the line says how many the filter hides --------

  private setTicked(id: string, ticked: boolean): void {
    if (ticked) {
      this.selected.add(id);
    } else {
      this.selected.delete(id);
    }
    this.hidden.delete(id);
    this.updateSelection();
    this.paint();
  }

  private clearSelection(): void {
    this.selected.clear();
    this.hidden.clear();
    this.updateSelection();
    this.paint();
  }

  /** Which ticked runs the current filter and experiment leave out (asked of the server: pages load lazily). */
  private async countHiddenSelection(): Promise<void> {
    const ids = [...this.selected];
    const q = this.shown.query;
    if (!ids.length) {
      this.hidden.clear();
      this.updateSelection();
      return;
    }
    const list = ids.map(id => `'${id.replace(/'/g, "''")}'`).join(', ');
    const where = q.where ? `(${q.where}) and id in (${list})` : `id in (${list})`;
    try {
      const page = await requestAPI<IRunPage>('runs' + query({ where, experiment: q.experiment, limit: ids.length }));
      if (q.key !== this.shown.query.key) {
        return;
      }
      const visible = new Set(page.runs.map(r => r.id));
      this.hidden = new Set(ids.filter(id => this.selected.has(id) && !visible.has(id)));
    } catch {
      this.hidden.clear(); // cannot tell: say nothing rather than something wrong
    }
    this.updateSelection();
  }

  private updateSelection(): void {
    const n = this.selected.size;
    const hidden = [...this.hidden].filter(id => this.selected.has(id)).length;
    this.compareButton.disabled = n < 2;
    this.compareButton.textContent = n ? `Compare (${n})` : 'Compare';
    this.compareButton.title = n < 2 ? 'tick two runs or more to compare them' : `compare the ${n} ticked runs`;
    this.clearButton.disabled = n === 0;
    this.selectionLine.textContent = n
      ? `${n} ticked` + (hidden ? `, ${hidden} hidden by the filter` : '')
      : 'tick runs to compare';
    this.selectionLine.classList.toggle('nbtrack-selection-hidden', hidden > 0);
  }

  private readonly experimentSelect: HTMLSelectElement;
  private readonly filterInput: HTMLInputElement;
  private readonly errorLine: HTMLDivElement;
  private readonly orderSelect: HTMLSelectElement;
  private readonly directionButton: HTMLButtonElement;
  private readonly compareButton: HTMLButtonElement;
  private readonly clearButton: HTMLButtonElement;
  private readonly tableButton: HTMLButtonElement;
  private readonly countLine: HTMLSpanElement;
  private readonly selectionLine: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly executionsList = h('div', { class: 'nbtrack-executions' });
  private executions: IExecution[] = [];
  private shown: IShown = { query: { where: '', experiment: '', order: '-started', key: '' }, pages: new Map(), total: 0 };
  private readonly loading = new Set<number>();
  private readonly selected = new Set<string>();
  private hidden = new Set<string>();
  private drawn = new Map<string, IDrawnRow>();
  private controller = new AbortController();
  private labels = new Map<string, string>();
  private defaultColumns: string[] = [];
  private defaultParams: string[] = [];
  private fieldsKnown = false;
  private fieldsAsked = 0;
  private retry = false;
  private asked = '';
  private inflight = 0;
  private active = -1;
  private errorTimer = 0;
  private errorAtOnce = false;
  private descending = true;
  private generation = 0;
  private debounce = 0;
  private timer = 0;
}

/**
 * A params/metrics field's label and value in one run, or undefined when the run lacks it. The
 * server writes fields ready for `where` (odd keys in backticks; metrics.<key>.min/.max for a
 * summary), so the run's own keys are matched against each spelling rather than parsed out.
 */
export function fieldValue(run: IRun, field: string): [string, unknown] | undefined {
  const spellings = (prefix: string, key: string): string[] => [`${prefix}.${key}`, `${prefix}.\`${key}\``];
  if (field.startsWith('params.')) {
    for (const key of Object.keys(run.params)) {
      if (spellings('params', key).includes(field)) {
        return [key, run.params[key]];
      }
    }
  } else if (field.startsWith('metrics.')) {
    for (const [key, summary] of Object.entries(run.summaries ?? {})) {
      const forms = spellings('metrics', key);
      if (forms.includes(field)) {
        return [key, run.metrics[key]];
      }
      for (const which of ['min', 'max'] as const) {
        if (forms.some(f => `${f}.${which}` === field)) {
          return [`${key} ${which}`, summary[which]];
        }
      }
    }
  }
  return undefined;
}
