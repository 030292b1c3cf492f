/** The runs table's header: sort by click (shift adds a key), a column's menu, drag to reorder, drag an edge to resize. */

import { ColumnLayout, MIN_WIDTH, NAME_WIDTH, NOTE_WIDTH, SELECT_WIDTH } from './columns';
import { h } from './dom';
import { isLowerBetter } from './format';
import { closePopup, openPopup } from './popup';
import { cell } from './tableLines';
import { hasGroupStats, isGroupable, TableModel } from './tableModel';

export interface IHeaderOwner {
  readonly model: TableModel;
  readonly columnLayout: ColumnLayout;
  /** A new sort: the rows are read again, sorted by the server. */
  setOrder(order: string[]): void;
  /** The columns asked of the server changed (one hidden): read again. */
  setColumns(columns: string[]): void;
  /** Group the rows by this field ('' for no grouping). */
  groupBy(field: string): void;
  /** The same columns in another order, pinned or resized: drawn again, not read again. */
  relayout(): void;
  allSelected(): boolean;
  selectAll(on: boolean): void;
}

const stripSign = (order: string): string => order.replace(/^-/, '');

/** A first click sorts best first: metrics descending unless lower is better, durations shortest first, the rest ascending. */
export function firstOrder(field: string): string {
  return field.startsWith('metrics.') && !isLowerBetter(field) ? `-${field}` : field;
}

export class TableHeader {
  readonly node = h('div', { class: 'nbtrack-thead', attrs: { role: 'row' } });

  constructor(private readonly owner: IHeaderOwner) {}

  draw(columns: string[], offsets: Map<string, number>, totalWidth: number): void {
    const layout = this.owner.columnLayout;
    this.node.style.width = `${totalWidth}px`;
    this.node.replaceChildren(this.selectAllCell(), this.headCell('name', NAME_WIDTH, SELECT_WIDTH),
      ...columns.map(c => this.headCell(c, layout.width(c), offsets.get(c))),
      cell('nbtrack-th nbtrack-note-cell', NOTE_WIDTH, undefined, 'note'));
  }

  /** The select-all box follows the ticks made in the rows. */
  syncSelectAll(): void {
    const box = this.node.querySelector<HTMLInputElement>('.nbtrack-select-all');
    if (box) {
      box.checked = this.owner.allSelected();
    }
  }

  /** A click sorts by the column alone (again: the other way); with shift it adds or flips a later key. */
  sortBy(field: string, add: boolean): void {
    const order = this.owner.model.state.order.slice();
    const at = order.findIndex(o => stripSign(o) === field);
    const flipped = (o: string): string => (o.startsWith('-') ? o.slice(1) : `-${o}`);
    if (add) {
      if (at >= 0) {
        order[at] = flipped(order[at]);
      } else {
        order.push(firstOrder(field));
      }
      this.owner.setOrder(order);
    } else {
      this.owner.setOrder([at === 0 ? flipped(order[0]) : firstOrder(field)]);
    }
  }

  private selectAllCell(): HTMLElement {
    const box = h('input', { class: 'nbtrack-select-all', attrs: { type: 'checkbox',
      'aria-label': 'select every run loaded', title: 'select every run loaded (again: select none)' } });
    box.checked = this.owner.allSelected();
    box.addEventListener('change', () => this.owner.selectAll(box.checked));
    return cell('nbtrack-th nbtrack-select-cell nbtrack-pinned', SELECT_WIDTH, 0, box);
  }

  private headCell(field: string, width: number, pinnedAt?: number): HTMLElement {
    const { model } = this.owner;
    const known = model.field(field);
    const label = field === 'name' ? 'name · id' : known?.label ?? field;
    const kind = known && known.kind !== 'run' ? known.kind : '';
    const position = model.state.order.findIndex(o => stripSign(o) === field);
    const order = model.state.order[position];
    const arrow = position < 0 ? '' : order.startsWith('-') ? '▼' : '▲';
    const rank = position > 0 || (position === 0 && model.state.order.length > 1) ? `${position + 1}` : '';
    const text = h('span', { class: 'nbtrack-th-text' }, kind ? h('span', { class: 'nbtrack-th-kind' }, kind) : '',
      h('span', { class: 'nbtrack-th-label' }, label));
    const sort = h('span', { class: 'nbtrack-sort' }, arrow, rank ? h('sup', {}, rank) : null);
    const head = cell(`nbtrack-th${pinnedAt !== undefined ? ' nbtrack-pinned' : ''}`, width, pinnedAt, text, sort);
    const stats = model.state.group && hasGroupStats(field, model.state.group)
      ? '\ngroup rows: mean ± sd (sample standard deviation) of the group\'s runs' : '';
    head.title = `${known?.label ?? field} (${field}): click to sort, shift-click to add a sort key${stats}`;
    head.dataset.field = field;
    head.setAttribute('aria-sort', position < 0 ? 'none' : order.startsWith('-') ? 'descending' : 'ascending');
    head.addEventListener('click', event => {
      if (!(event.target as HTMLElement).closest('.nbtrack-column-menu, .nbtrack-resize')) {
        this.sortBy(field, event.shiftKey);
      }
    });
    if (field !== 'name') {
      const menu = h('button', { class: 'nbtrack-icon-button nbtrack-column-menu', title: `${field}: menu`,
        attrs: { 'aria-label': `${field} column menu` } }, '⋮');
      menu.addEventListener('click', () => openPopup(menu, this.columnMenu(field), 'nbtrack-column-popup'));
      head.append(menu);
      this.draggable(head, field);
      const handle = h('div', { class: 'nbtrack-resize', title: 'drag to resize' });
      handle.addEventListener('pointerdown', event => this.startResize(event, field, width));
      head.append(handle);
    }
    return head;
  }

  /** Drop a header on another: the dragged column goes before it. */
  private draggable(head: HTMLElement, field: string): void {
    head.draggable = true;
    head.addEventListener('dragstart', event => {
      if (this.resizing) {
        event.preventDefault(); // a drag from the resize handle resizes, it does not move the column
      } else {
        event.dataTransfer?.setData('text/x-nbtrack-column', field);
      }
    });
    head.addEventListener('dragover', event => event.preventDefault());
    head.addEventListener('drop', event => {
      event.preventDefault();
      const moved = event.dataTransfer?.getData('text/x-nbtrack-column');
      if (moved && moved !== field) {
        const rest = this.owner.model.state.columns.filter(c => c !== moved);
        rest.splice(rest.indexOf(field), 0, moved);
        this.arrange(rest);
      }
    });
  }

  private arrange(columns: string[]): void {
    this.owner.model.state.columns = columns;
    this.owner.model.columnsChosen = true;
    this.owner.relayout();
  }

  private columnMenu(field: string): HTMLElement {
    const { model, columnLayout: layout } = this.owner;
    const item = (label: string, run: () => void): HTMLElement => {
      const b = h('button', { class: 'nbtrack-menu-item' }, label);
      b.addEventListener('click', () => {
        closePopup();
        run();
      });
      return b;
    };
    const move = (step: number): void => {
      const columns = model.state.columns.slice();
      const at = columns.indexOf(field);
      const to = Math.max(0, Math.min(columns.length - 1, at + step));
      columns.splice(at, 1);
      columns.splice(to, 0, field);
      this.arrange(columns);
    };
    const pinned = layout.pinned.has(field);
    const known = model.field(field);
    const grouped = model.state.group === field;
    return h('div', { class: 'nbtrack-menu', attrs: { role: 'menu' } },
      h('div', { class: 'nbtrack-muted' }, field),
      item('Sort ascending', () => this.owner.setOrder([field])),
      item('Sort descending', () => this.owner.setOrder([`-${field}`])),
      known && isGroupable(known) ? item(grouped ? 'Stop grouping' : 'Group rows by this column',
        () => this.owner.groupBy(grouped ? '' : field)) : null,
      item('Move left', () => move(-1)),
      item('Move right', () => move(1)),
      item(pinned ? 'Unpin' : 'Pin to the left', () => {
        if (pinned) {
          layout.pinned.delete(field);
        } else {
          layout.pinned.add(field);
        }
        this.owner.relayout();
      }),
      item('Hide column', () => this.owner.setColumns(model.state.columns.filter(c => c !== field))));
  }

  private startResize(event: PointerEvent, field: string, width: number): void {
    event.preventDefault();
    event.stopPropagation();
    // On the window, not the handle: every move redraws the header, the handle with it.
    this.resizing = true;
    const start = event.clientX;
    let frame = 0;
    const move = (e: PointerEvent): void => {
      const next = Math.max(MIN_WIDTH, Math.round(width + e.clientX - start));
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        this.owner.columnLayout.widths.set(field, next);
        this.owner.relayout();
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

  private resizing = false;
}
