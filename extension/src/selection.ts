/** The runs ticked in the table (shift-click ranges, all loaded) and the bar of what can be done with them. */

import { showErrorMessage } from '@jupyterlab/apputils';

import { bulkAction, BulkAction } from './bulk';
import { h } from './dom';
import { copyLink, labLink } from './links';
import { Archived, ITableRow } from './tableTypes';

const MAX_COMPARE = 20;

export interface ISelectionOwner {
  /** The run at a line of the table, if that line is a loaded run. */
  rowAt(position: number): ITableRow | undefined;
  loadedRows(): ITableRow[];
  archived(): Archived;
  compare(ids: string[]): void;
  /** The ticks changed: redraw. */
  changed(): void;
  /** An action changed runs on the server: read again. */
  acted(): Promise<void>;
}

export class Selection {
  readonly node: HTMLElement;

  constructor(private readonly owner: ISelectionOwner) {
    this.count = h('span', { class: 'nbtrack-selection-count', attrs: { role: 'status' } });
    const button = (label: string, cls: string, title: string, run: () => void): HTMLButtonElement => {
      const b = h('button', { class: `jp-mod-styled ${cls}`, title }, label);
      b.addEventListener('click', run);
      return b;
    };
    this.compareButton = button('Compare', 'jp-mod-accept nbtrack-compare-selected', 'compare the selected runs',
      () => this.owner.compare(this.ids()));
    this.linkButton = button('Copy compare link', 'nbtrack-compare-link', 'a Lab link that opens this comparison',
      () => copyLink(labLink('nbtrack-compare', this.ids().join(','))));
    this.archiveButton = button('Archive', 'nbtrack-bulk-archive', 'hide the selected runs (restore shows them again)',
      () => void this.act('archive'));
    this.restoreButton = button('Restore', 'nbtrack-bulk-restore', 'un-archive the selected runs',
      () => void this.act('restore'));
    this.buttons = [
      this.compareButton, this.linkButton,
      button('Tag...', 'nbtrack-bulk-tag', 'set or remove tags on the selected runs', () => void this.act('tag')),
      this.archiveButton, this.restoreButton,
      button('Delete...', 'jp-mod-warn nbtrack-bulk-delete', 'delete the selected runs permanently',
        () => void this.act('delete')),
      button('Clear selection', 'nbtrack-clear-selection', 'untick every run', () => this.clear())
    ];
    this.node = h('div', { class: 'nbtrack-selection-bar' }, this.count, ...this.buttons);
    this.drawBar();
  }

  has(id: string): boolean {
    return this.selected.has(id);
  }

  ids(): string[] {
    return [...this.selected];
  }

  allSelected(): boolean {
    const loaded = this.owner.loadedRows();
    return loaded.length > 0 && loaded.every(r => this.selected.has(r.id));
  }

  /** Tick or untick a run; with range, every loaded run from the last ticked line to this one. */
  tick(id: string, position: number, on: boolean, range: boolean): void {
    const ids = [id];
    if (range && this.anchor !== null) {
      ids.length = 0;
      for (let p = Math.min(this.anchor, position); p <= Math.max(this.anchor, position); p += 1) {
        const row = this.owner.rowAt(p);
        if (row) {
          ids.push(row.id);
        }
      }
    }
    ids.forEach(one => (on ? this.selected.add(one) : this.selected.delete(one)));
    this.anchor = position;
    this.update();
  }

  selectAll(on: boolean): void {
    if (on) {
      this.owner.loadedRows().forEach(r => this.selected.add(r.id));
    } else {
      this.selected.clear();
    }
    this.update();
  }

  clear(): void {
    this.selected.clear();
    this.anchor = null;
    this.update();
  }

  /** Redraw the bar: the rows' archived flags arrived or changed. */
  sync(): void {
    if (this.selected.size) {
      this.drawBar();
    }
  }

  private update(): void {
    this.drawBar();
    this.owner.changed();
  }

  /** Buttons enabled only when they can act: Compare takes 2 to 20 runs, Archive a live run, Restore an archived one. */
  private drawBar(): void {
    const n = this.selected.size;
    this.count.textContent = n ? `${n} selected` : 'none selected';
    this.buttons.forEach(b => {
      b.disabled = n === 0;
    });
    const comparable = n >= 2 && n <= MAX_COMPARE;
    this.compareButton.disabled = !comparable;
    this.linkButton.disabled = !comparable;
    this.compareButton.textContent = n ? `Compare (${n})` : 'Compare';
    const rows = this.owner.loadedRows().filter(r => this.selected.has(r.id));
    const archived = rows.filter(r => r.archived).length;
    this.archiveButton.disabled = rows.length > 0 ? archived === rows.length : n === 0;
    this.restoreButton.disabled = rows.length > 0 ? archived === 0 : n === 0;
    this.archiveButton.title = this.archiveButton.disabled && n ? 'the selected runs are archived already'
      : 'hide the selected runs (restore shows them again)';
    this.restoreButton.title = this.restoreButton.disabled && n ? 'none of the selected runs is archived'
      : 'un-archive the selected runs';
    this.compareButton.title = n > MAX_COMPARE ? `compare takes at most ${MAX_COMPARE} runs; untick some`
      : n < 2 ? 'tick at least two runs to compare' : 'compare the selected runs';
  }

  private async act(action: BulkAction): Promise<void> {
    try {
      const result = await bulkAction(action, this.ids());
      if (!result) {
        return;
      }
      const archived = this.owner.archived();
      if (action === 'delete' || (action === 'archive' && archived === 'hide') || (action === 'restore' && archived === 'only')) {
        result.done.forEach(id => this.selected.delete(id)); // they left the listing
      }
      this.update();
      await this.owner.acted();
    } catch (error) {
      await showErrorMessage(`${action} failed`, (error as Error).message);
    }
  }

  private readonly selected = new Set<string>();
  private readonly count: HTMLSpanElement;
  private readonly compareButton: HTMLButtonElement;
  private readonly archiveButton: HTMLButtonElement;
  private readonly restoreButton: HTMLButtonElement;
  private readonly linkButton: HTMLButtonElement;
  private readonly buttons: HTMLButtonElement[];
  private anchor: number | null = null;
}
