/** The runs table's data: view state, server-sorted pages per listing (all runs, or one group's), groups, fields. */

import { query, requestAPI } from './request';
import { Archived, IField, IFields, IGroup, IGroups, ITablePage, ITableRow, IViewState } from './tableTypes';

export const PAGE = 100;
/** Shown first among the default columns, when the server offers them. */
const RUN_COLUMNS = ['status', 'started'];

/** One server listing (the filtered runs, or one group's runs) read a page at a time. */
export class Listing {
  constructor(readonly where: string) {}

  total = -1;
  readonly pages = new Map<number, ITableRow[]>();
  readonly loading = new Set<number>();

  row(index: number): ITableRow | undefined {
    return this.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }
}

/** A line of the table: a group's header or a run of a listing. */
export type Line = { kind: 'group'; group: IGroup; open: boolean } | { kind: 'run'; listing: Listing; index: number };

/** The server's stats cover this many columns: the numeric ones of the table go first. */
const MAX_GROUP_COLUMNS = 20;

/** What a change makes the table read again. */
export interface IReload {
  fields?: boolean;
  rows?: boolean;
  groups?: boolean;
}
const EVERYTHING: IReload = { fields: true, rows: true, groups: true };

export class TableModel {
  state: IViewState = { where: '', experiment: '', columns: [], order: ['-started'], group: '', archived: 'hide' };
  /** Set once the person chose columns: the filter's default columns no longer replace them. */
  columnsChosen = false;
  fields: IField[] = [];
  defaultColumns: string[] = [];
  main = new Listing('');
  groups: IGroup[] = [];
  /** The server listed only the biggest groups. */
  truncated = false;
  readonly open = new Map<string, Listing>();
  /** Called after anything new arrived: the view redraws. */
  changed: () => void = () => undefined;
  /** Called with the server's message when the filter or a request failed, '' once one succeeds. */
  failed: (message: string) => void = () => undefined;

  /**
   * Read again what a change needs: the key catalogue (a new filter, experiment or archived choice), the
   * rows (a new order or columns), the groups (a new grouping or columns). Rows and group counts are asked
   * at once; the groups' mean ± std follow in a second request, so the group rows show before their stats.
   * On an error the previous results stay and the message goes to failed().
   */
  async reload(what: IReload = EVERYTHING): Promise<void> {
    this.reloading += 1;
    try {
      await this.read(what);
    } finally {
      this.reloading -= 1;
    }
  }

  /** A reload is on its way: the periodic refresh waits (it would compete with what the person asked for). */
  get busy(): boolean {
    return this.reloading > 0;
  }

  private async read(what: IReload): Promise<void> {
    const generation = ++this.generation;
    this.controller.abort();
    this.controller = new AbortController();
    const signal = this.controller.signal;
    try {
      let fields: IFields | null = null;
      if (what.fields) {
        fields = await requestAPI<IFields>('runs/fields' + query(this.filterArgs()), 'GET', undefined, signal);
        if (generation !== this.generation) {
          return;
        }
        // what every run has (status, when it started) before what varies among them
        const known = fields.fields;
        const own = RUN_COLUMNS.filter(f => known.some(k => k.field === f && k.kind === 'run'));
        this.defaultColumns = [...own, ...fields.default_columns.filter(f => !own.includes(f))];
        if (!this.columnsChosen) {
          this.state.columns = this.defaultColumns.slice();
        }
      }
      const listing = new Listing(this.state.where);
      const grouped = !!this.state.group && (what.groups || what.fields);
      const [first, found] = await Promise.all([
        what.rows || what.fields ? this.readPage(listing, 0, signal) : Promise.resolve(null),
        grouped ? requestAPI<IGroups>('runs/groups' + this.groupQuery(false), 'GET', undefined, signal)
          : Promise.resolve(null)
      ]);
      if (generation !== this.generation) {
        return;
      }
      if (fields) {
        this.fields = fields.fields;
      }
      if (first) {
        listing.pages.set(0, first.rows);
        listing.total = first.total;
        this.main = listing;
      }
      if (found) {
        this.setGroups(found, false);
      } else if (first) {
        this.reopen(); // the open groups' runs in the new order or columns
      }
      this.failed('');
      this.changed();
      if (this.state.group && (found || what.rows)) {
        void this.refreshGroups();
      }
    } catch (error) {
      if (generation === this.generation && (error as Error).name !== 'AbortError') {
        this.failed((error as Error).message);
      }
    }
  }

  private setGroups(found: IGroups, withStats: boolean): void {
    const stats = new Map(this.groups.map(g => [groupKey(g), g.stats]));
    this.groups = this.sortGroups(withStats ? found.groups
      : found.groups.map(g => ({ ...g, stats: stats.get(groupKey(g)) ?? {} }))); // the old stats until new ones come
    this.truncated = !!found.truncated;
    this.reopen();
  }

  /** Open groups get fresh listings (new order, columns or filter); groups that are gone close. */
  private reopen(): void {
    for (const key of [...this.open.keys()]) {
      const group = this.groups.find(g => groupKey(g) === key);
      if (group && group.where !== null) {
        this.open.set(key, new Listing(group.where));
      } else {
        this.open.delete(key);
      }
    }
  }

  /** Fetch a page of a listing unless it is loaded or on its way; redraw when it lands. */
  async fetch(listing: Listing, page: number, again = false): Promise<void> {
    if (listing.loading.has(page) || (!again && listing.pages.has(page))) {
      return;
    }
    const generation = this.generation;
    listing.loading.add(page);
    try {
      const found = await this.readPage(listing, page, this.controller.signal);
      if (generation === this.generation) {
        listing.pages.set(page, found.rows);
        listing.total = found.total;
        this.changed();
      }
    } catch (error) {
      if (generation === this.generation && (error as Error).name !== 'AbortError') {
        this.failed((error as Error).message);
      }
    } finally {
      listing.loading.delete(page);
    }
  }

  /** Re-read groups with their stats (counts and stats move while runs finish); nothing on screen is dropped. */
  async refreshGroups(): Promise<void> {
    if (!this.state.group || this.state.where.trim() !== this.main.where.trim()) {
      return; // not grouped, or the filter typed last was refused: it is not sent again and again
    }
    const generation = this.generation;
    try {
      const found = await requestAPI<IGroups>('runs/groups' + this.groupQuery(true), 'GET', undefined,
        this.controller.signal);
      if (generation === this.generation) {
        this.groups = this.sortGroups(found.groups);
        this.truncated = !!found.truncated;
        this.changed();
      }
    } catch {
      // the next refresh tries again; errors of the filter itself are reported by reload()
    }
  }

  /** Open or close a group; a group whose value has no literal (a list, a missing value) cannot be listed. */
  toggleGroup(group: IGroup): void {
    const key = groupKey(group);
    if (this.open.has(key)) {
      this.open.delete(key);
    } else if (group.where !== null) {
      this.open.set(key, new Listing(group.where)); // the server's where: the filter, experiment and this value
    }
    this.changed();
  }

  /** Every line of the table in order: runs, or group headers each followed by its runs when open. */
  lines(): Line[] {
    if (!this.state.group) {
      return [];
    }
    const lines: Line[] = [];
    for (const group of this.groups) {
      const listing = this.open.get(groupKey(group));
      lines.push({ kind: 'group', group, open: !!listing });
      if (listing) {
        const count = listing.total >= 0 ? listing.total : group.count;
        for (let index = 0; index < count; index += 1) {
          lines.push({ kind: 'run', listing, index });
        }
      }
    }
    return lines;
  }

  lineCount(): number {
    if (!this.state.group) {
      return Math.max(0, this.main.total);
    }
    let count = 0;
    for (const group of this.groups) {
      const listing = this.open.get(groupKey(group));
      count += 1 + (listing ? (listing.total >= 0 ? listing.total : group.count) : 0);
    }
    return count;
  }

  /** The line at a position without building every line (ungrouped tables may hold 100,000 runs). */
  line(position: number): Line | undefined {
    if (!this.state.group) {
      return position < this.main.total ? { kind: 'run', listing: this.main, index: position } : undefined;
    }
    let at = 0;
    for (const group of this.groups) {
      const listing = this.open.get(groupKey(group));
      if (position === at) {
        return { kind: 'group', group, open: !!listing };
      }
      at += 1;
      const count = listing ? (listing.total >= 0 ? listing.total : group.count) : 0;
      if (listing && position < at + count) {
        return { kind: 'run', listing, index: position - at };
      }
      at += count;
    }
    return undefined;
  }

  /** The positions of the group lines, top to bottom. */
  groupPositions(): number[] {
    const positions: number[] = [];
    let at = 0;
    for (const group of this.groups) {
      positions.push(at);
      const listing = this.open.get(groupKey(group));
      at += 1 + (listing ? (listing.total >= 0 ? listing.total : group.count) : 0);
    }
    return positions;
  }

  field(name: string): IField | undefined {
    return this.fields.find(f => f.field === name);
  }

  filterArgs(): Record<string, string> {
    return { where: this.state.where.trim(), experiment: this.state.experiment, archived: this.state.archived };
  }

  /** The groups with stats of the columns that have them, and of the sort column (it orders the groups). */
  private groupQuery(withStats: boolean): string {
    const sorted = this.sortField();
    const numeric = this.state.columns.filter(c => hasGroupStats(c, this.state.group));
    if (sorted && sorted !== this.state.group && /^(params|metrics|data)\.|^duration$/.test(sorted)
        && !numeric.includes(sorted)) {
      numeric.unshift(sorted);
    }
    return query({ ...this.filterArgs(), group: this.state.group,
      columns: withStats ? numeric.slice(0, MAX_GROUP_COLUMNS) : [] });
  }

  /** The first sort key's field, without its direction. */
  sortField(): string {
    return (this.state.order[0] ?? '').replace(/^-/, '');
  }

  /**
   * The server answers groups biggest first; they follow the table's sort instead, by the sorted column's
   * mean (groups without one last, in the server's order), or by the group value when the grouping column is sorted.
   */
  private sortGroups(groups: IGroup[]): IGroup[] {
    const first = this.state.order[0] ?? '';
    const field = first.replace(/^-/, '');
    const sign = first.startsWith('-') ? -1 : 1;
    const key = (g: IGroup): number | string | null => {
      if (field === this.state.group) {
        return typeof g.value === 'number' || typeof g.value === 'string' ? g.value : null;
      }
      const mean = g.stats[field]?.mean;
      return typeof mean === 'number' ? mean : null;
    };
    if (field !== this.state.group && !groups.some(g => key(g) !== null)) {
      return groups;
    }
    return groups.map((g, i) => ({ g, i, k: key(g) })).sort((a, b) => {
      if (a.k === null || b.k === null) {
        return a.k === b.k ? a.i - b.i : a.k === null ? 1 : -1;
      }
      const cmp = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
      return cmp * sign || a.i - b.i;
    }).map(x => x.g);
  }

  /** Set loaded rows of a run to what the server now has (a rename, a note saved): shown at once. */
  patchRow(id: string, change: Partial<ITableRow>): void {
    for (const listing of [this.main, ...this.open.values()]) {
      for (const page of listing.pages.values()) {
        page.filter(r => r.id === id).forEach(r => Object.assign(r, change));
      }
    }
    this.changed();
  }

  private readPage(listing: Listing, page: number, signal: AbortSignal): Promise<ITablePage> {
    return requestAPI<ITablePage>('runs/table' + query({
      where: listing.where.trim(), experiment: this.state.experiment, archived: this.state.archived as Archived,
      order: this.state.order, columns: this.state.columns, limit: PAGE, offset: page * PAGE
    }), 'GET', undefined, signal);
  }

  private generation = 0;
  private reloading = 0;
  private controller = new AbortController();
}

/** What the server groups by: a param, a tag, or one of these run facts (tags.sweep groups a sweep's runs). */
const GROUPABLE_FACTS = ['status', 'experiment', 'notebook'];

export function isGroupable(field: IField): boolean {
  return field.kind === 'param' || field.kind === 'tag' || (field.kind === 'run' && GROUPABLE_FACTS.includes(field.field));
}

/** A group row shows mean ± sd of metrics and numeric run facts; not of params, nor of the grouping column. */
export function hasGroupStats(field: string, group: string): boolean {
  return field !== group && (/^(metrics|data)\./.test(field) || field === 'duration');
}

export function groupKey(group: IGroup): string {
  return JSON.stringify(group.value);
}
