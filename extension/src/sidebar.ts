/** The Runs sidebar: experiment, filter and sort; a virtualized list paged from the server; auto-refresh. */

import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { age, h } from './dom';
import { formatValue } from './format';
import { query, requestAPI } from './request';
import { IExperiment, IRun, IRunPage } from './types';

const ROW_HEIGHT = 46;
const PAGE = 100;
const REFRESH_MS = 1500;
const FIXED_ORDERS = ['started', 'name', 'status', 'duration'];
// Typing while a request is out: query after a pause this short (one request per burst of keys, not per
// key); with none out, and on Enter, query at once.
const DEBOUNCE_MS = 40;
// A filter that does not parse yet is usually one still being typed: say so only once typing pauses.
const ERROR_DELAY_MS = 500;

/** A row on screen and what it was drawn from. */
interface IDrawnRow {
  signature: string;
  node: HTMLElement;
  started: string;
}

export interface ISidebarActions {
  openRun(id: string): void;
  compare(ids: string[]): void;
}

export class RunsSidebar extends Widget {
  constructor(private readonly actions: ISidebarActions) {
    super();
    this.id = 'nbtrack-runs';
    this.title.caption = 'nbtrack runs';
    this.addClass('nbtrack-sidebar');

    this.experimentSelect = h('select', { class: 'nbtrack-experiment', title: 'experiment' });
    this.experimentSelect.append(h('option', { attrs: { value: '' } }, 'all experiments'));
    this.experimentSelect.addEventListener('change', () => this.reload());

    this.filterInput = h('input', {
      class: 'nbtrack-filter jp-mod-styled',
      attrs: { type: 'search', placeholder: "filter: params.model = 'rf' and metrics.test.f1 > 0.9", spellcheck: 'false' }
    });
    this.filterInput.addEventListener('input', () => {
      window.clearTimeout(this.debounce);
      if (this.loading.size) {
        this.debounce = window.setTimeout(() => this.reload(), DEBOUNCE_MS);
      } else {
        this.reload(); // nothing out: ask at once (a paste, or the first key after a pause)
      }
    });
    this.filterInput.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        window.clearTimeout(this.debounce);
        this.reload(true);
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
    this.countLine = h('span', { class: 'nbtrack-count' });

    this.spacer = h('div', { class: 'nbtrack-spacer' });
    this.scroller = h('div', { class: 'nbtrack-list', attrs: { role: 'list' } }, this.spacer);
    this.scroller.addEventListener('scroll', () => this.paint());

    this.node.append(
      h('div', { class: 'nbtrack-sidebar-head' },
        h('div', { class: 'nbtrack-title' }, 'Runs'),
        this.experimentSelect,
        this.filterInput,
        this.errorLine,
        h('div', { class: 'nbtrack-toolbar' }, h('label', {}, 'sort ', this.orderSelect), this.directionButton,
          this.countLine, this.compareButton)
      ),
      this.scroller
    );
    this.updateCompareButton();
  }

  /**
   * Start over from the first page with the current experiment, filter and order.
   * Requests still out for the previous ones are cancelled: only the newest answer is drawn.
   */
  reload(showErrorAtOnce = false): void {
    this.generation += 1;
    this.controller.abort();
    this.controller = new AbortController();
    window.clearTimeout(this.errorTimer);
    this.errorTimer = 0;
    this.errorAtOnce = showErrorAtOnce;
    this.pages.clear();
    this.loading.clear();
    this.scroller.scrollTop = 0;
    void this.fetchPage(0, true);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    void this.loadExperiments();
    this.reload();
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

  private order(): string {
    const field = this.orderSelect.value || 'started';
    return this.descending ? `-${field}` : field;
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

  private async fetchPage(index: number, first = false): Promise<void> {
    if (this.loading.has(index)) {
      return;
    }
    const generation = this.generation;
    const signal = this.controller.signal;
    this.loading.add(index);
    try {
      const page = await requestAPI<IRunPage>(
        'runs' +
          query({
            where: this.filterInput.value.trim(),
            experiment: this.experimentSelect.value,
            order: this.order(),
            limit: PAGE,
            offset: index * PAGE
          }),
        'GET',
        undefined,
        signal
      );
      if (generation !== this.generation) {
        return; // an answer to a filter the user has already changed
      }
      window.clearTimeout(this.errorTimer);
      this.errorTimer = 0;
      this.errorLine.textContent = '';
      this.filterInput.classList.remove('nbtrack-invalid');
      this.total = page.total;
      this.pages.set(index, page.runs);
      if (first) {
        this.learnMetricKeys(page.runs);
      }
      this.paint();
    } catch (error) {
      if (generation === this.generation) {
        const message = (error as Error).message;
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
        if (first) {
          this.total = 0;
          this.paint();
        }
      }
    } finally {
      this.loading.delete(index);
    }
  }

  /** Re-read the pages on screen: new runs appear and running runs update by themselves. */
  private refreshVisible(): void {
    if (!this.isVisible || this.loading.size) {
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
    for (let row = top; row <= Math.min(bottom, Math.max(this.total - 1, 0)); row += 1) {
      pages.add(Math.floor(row / PAGE));
    }
    return [...pages];
  }

  private learnMetricKeys(runs: IRun[]): void {
    const keys = new Set<string>();
    for (const run of runs) {
      Object.keys(run.metrics).forEach(k => keys.add(k));
    }
    const known = [...this.orderSelect.options].map(o => o.value);
    const fresh = [...keys].sort().filter(k => !known.includes(`metrics.${k}`));
    if (fresh.length) {
      this.setOrderOptions([...known.filter(k => k.startsWith('metrics.')).map(k => k.slice(8)), ...fresh].sort());
    }
    this.metricKeys = [...keys].sort().slice(0, 3);
  }

  private setOrderOptions(metricKeys: string[]): void {
    const current = this.orderSelect.value || 'started';
    this.orderSelect.replaceChildren(
      ...FIXED_ORDERS.map(f => h('option', { attrs: { value: f } }, f)),
      ...metricKeys.map(k => h('option', { attrs: { value: `metrics.${k}` } }, k))
    );
    this.orderSelect.value = current;
  }

  /**
   * Draw only the rows in view (plus a margin); fetch pages that are not loaded yet.
   * A row whose run has not changed is kept as it is (only its age is updated), so the
   * refresh every 1.5 s and a filter that keeps some rows touch only what changed.
   */
  private paint(): void {
    this.spacer.style.height = `${this.total * ROW_HEIGHT}px`;
    this.countLine.textContent = `${this.total} run${this.total === 1 ? '' : 's'}`;
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - 5);
    const last = Math.min(this.total, first + Math.ceil(height / ROW_HEIGHT) + 10);
    const rows: HTMLElement[] = [];
    const drawn = new Map<string, IDrawnRow>();
    const now = Date.now();
    for (let i = first; i < last; i += 1) {
      const page = this.pages.get(Math.floor(i / PAGE));
      if (!page) {
        void this.fetchPage(Math.floor(i / PAGE));
        continue;
      }
      const run = page[i % PAGE];
      if (run) {
        const key = `${i}:${run.id}`;
        const signature = JSON.stringify([run.status, run.name, run.metrics, this.metricKeys]);
        let row = this.drawn.get(key);
        if (!row || row.signature !== signature) {
          row = { signature, node: this.row(run, i, now), started: run.started_at };
        } else {
          const ageNode = row.node.querySelector('.nbtrack-age');
          const text = age(row.started, now);
          if (ageNode && ageNode.textContent !== text) {
            ageNode.textContent = text;
          }
        }
        drawn.set(key, row);
        rows.push(row.node);
      }
    }
    this.drawn = drawn;
    const current = this.spacer.children;
    if (current.length !== rows.length || rows.some((row, i) => current[i] !== row)) {
      this.spacer.replaceChildren(...rows);
    }
  }

  private row(run: IRun, index: number, now: number): HTMLElement {
    const box = h('input', { class: 'nbtrack-select', attrs: { type: 'checkbox', title: 'select to compare' } });
    box.checked = this.selected.has(run.id);
    box.addEventListener('click', event => event.stopPropagation());
    box.addEventListener('change', () => {
      if (box.checked) {
        this.selected.add(run.id);
      } else {
        this.selected.delete(run.id);
      }
      this.updateCompareButton();
    });
    const own = Object.keys(run.metrics).sort();
    const metrics = [...this.metricKeys.filter(k => k in run.metrics), ...own.filter(k => !this.metricKeys.includes(k))]
      .slice(0, 3)
      .map(k => h('span', { class: 'nbtrack-metric' }, h('span', { class: 'nbtrack-metric-key' }, k), ' ', formatValue(run.metrics[k])));
    const row = h('div', { class: 'nbtrack-row', attrs: { role: 'listitem', 'data-run-id': run.id } },
      box,
      h('div', { class: 'nbtrack-row-main' },
        h('div', { class: 'nbtrack-row-line' },
          h('span', { class: `nbtrack-status nbtrack-status-${run.status}`, title: run.status }, run.status),
          h('span', { class: 'nbtrack-run-name' }, run.name || run.id.slice(0, 10)),
          h('span', { class: 'nbtrack-age' }, age(run.started_at, now))),
        h('div', { class: 'nbtrack-row-line nbtrack-row-metrics' }, ...metrics))
    );
    row.style.top = `${index * ROW_HEIGHT}px`;
    row.style.height = `${ROW_HEIGHT}px`;
    row.addEventListener('click', () => this.actions.openRun(run.id));
    return row;
  }

  private updateCompareButton(): void {
    this.compareButton.disabled = this.selected.size < 2;
    this.compareButton.textContent = this.selected.size ? `Compare (${this.selected.size})` : 'Compare';
  }

  private readonly experimentSelect: HTMLSelectElement;
  private readonly filterInput: HTMLInputElement;
  private readonly errorLine: HTMLDivElement;
  private readonly orderSelect: HTMLSelectElement;
  private readonly directionButton: HTMLButtonElement;
  private readonly compareButton: HTMLButtonElement;
  private readonly countLine: HTMLSpanElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pages = new Map<number, IRun[]>();
  private readonly loading = new Set<number>();
  private readonly selected = new Set<string>();
  private drawn = new Map<string, IDrawnRow>();
  private controller = new AbortController();
  private errorTimer = 0;
  private errorAtOnce = false;
  private metricKeys: string[] = [];
  private descending = true;
  private total = 0;
  private generation = 0;
  private debounce = 0;
  private timer = 0;
}
