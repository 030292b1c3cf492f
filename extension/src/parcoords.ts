/** Parallel coordinates on a canvas: an axis per param and the metric, a line per run, brushing on any axis. */

import { IAnalysisRow, IAxis } from './analysisTypes';
import { formatNumber, formatValue } from './format';
import { fitCanvas } from './theme';

/** A brushed range of one axis, in axis units from 0 (bottom) to 1 (top). */
export interface IBrush {
  low: number;
  high: number;
}

const HEIGHT = 320;
const TOP = 36;
const BOTTOM = 24;
const SIDE = 60;
const GRAB = 14;
// viridis at five stops: the metric's low end dark purple, its high end yellow, readable on both themes.
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

// On a dark page viridis' dark end would vanish: the same hues, the low end lifted.
const DARK_STOPS = [[150, 100, 220], [80, 120, 200], [33, 165, 160], [94, 201, 98], [253, 231, 37]];

export function metricColour(t: number): string {
  const stops = document.body.dataset.jpThemeLight === 'false' ? DARK_STOPS : STOPS;
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Where a value sits on its axis, 0 (bottom) to 1 (top); NaN when missing. */
export function position(axis: IAxis, value: number | string | null | undefined): number {
  if (value === null || value === undefined) {
    return NaN;
  }
  if (axis.kind === 'categorical') {
    const categories = axis.categories ?? [];
    const index = categories.indexOf(String(value));
    return index < 0 ? NaN : categories.length === 1 ? 0.5 : index / (categories.length - 1);
  }
  const v = Number(value);
  let lo = axis.min ?? 0, hi = axis.max ?? 1, x = v;
  if (axis.log && lo > 0 && v > 0) {
    lo = Math.log10(lo);
    hi = Math.log10(hi);
    x = Math.log10(v);
  }
  return hi === lo ? 0.5 : (x - lo) / (hi - lo);
}

export class ParallelCoordinates {
  readonly node: HTMLDivElement;
  lastDrawMs = 0;
  /** Called with a run's id when its line is clicked. */
  onOpen: (id: string) => void = () => undefined;
  /** Called when a brush is drawn, moved or cleared (on mouse up). */
  onBrush: (brushes: Map<string, IBrush>) => void = () => undefined;
  readonly brushes = new Map<string, IBrush>();

  constructor() {
    this.node = document.createElement('div');
    this.node.className = 'nbtrack-parcoords';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.tip = document.createElement('div');
    this.tip.className = 'nbtrack-plot-tip';
    this.node.append(this.canvas, this.tip);
    this.listen();
    this.resize = new ResizeObserver(() => {
      if (this.node.clientWidth !== this.width) {
        this.draw();
      }
    });
    this.resize.observe(this.node);
  }

  set(axes: IAxis[], rows: IAnalysisRow[]): void {
    this.axes = axes;
    this.rows = rows;
    for (const field of [...this.brushes.keys()]) {
      if (!axes.some(a => a.field === field)) {
        this.brushes.delete(field);
      }
    }
    this.draw();
  }

  /** The runs inside every brush. */
  selected(): IAnalysisRow[] {
    return this.rows.filter(row => this.inside(row));
  }

  clearBrushes(): void {
    this.brushes.clear();
    this.draw();
    this.onBrush(this.brushes);
  }

  redraw(): void {
    this.draw();
  }

  dispose(): void {
    this.resize.disconnect();
  }

  private inside(row: IAnalysisRow): boolean {
    for (const [field, brush] of this.brushes) {
      const axis = this.axes.find(a => a.field === field);
      const p = axis ? position(axis, row.values[field]) : NaN;
      if (!(p >= brush.low - 1e-9 && p <= brush.high + 1e-9)) {
        return false;
      }
    }
    return true;
  }

  private axisX(index: number, width: number): number {
    const n = this.axes.length;
    return n <= 1 ? width / 2 : SIDE + (width - 2 * SIDE) * index / (n - 1);
  }

  private draw(): void {
    const started = performance.now();
    const width = Math.max(320, this.node.clientWidth || 800);
    this.width = this.node.clientWidth;
    const ctx = fitCanvas(this.canvas, width, HEIGHT);
    if (!ctx) {
      return;
    }
    const style = getComputedStyle(this.node);
    const ink = style.getPropertyValue('--jp-ui-font-color1').trim() || '#333';
    const faint = style.getPropertyValue('--jp-border-color2').trim() || '#ddd';
    const font = style.getPropertyValue('--jp-ui-font-family').trim() || 'sans-serif';
    const span = HEIGHT - TOP - BOTTOM;
    const yOf = (p: number): number => TOP + span * (1 - p);
    const metric = this.axes.find(a => a.role === 'metric');
    const brushed = this.brushes.size > 0;
    const chosen: IAnalysisRow[] = [];
    // Runs outside the brushes first, faint, so the chosen ones are drawn over them.
    ctx.lineWidth = 1;
    ctx.strokeStyle = faint;
    ctx.globalAlpha = 0.6;
    for (const row of this.rows) {
      if (brushed && !this.inside(row)) {
        this.polyline(ctx, row, width, yOf);
      } else {
        chosen.push(row);
      }
    }
    ctx.globalAlpha = chosen.length > 200 ? 0.5 : 0.9;
    ctx.lineWidth = 1.5;
    for (const row of chosen) {
      ctx.strokeStyle = metric ? metricColour(position(metric, row.values[metric.field])) : row.colour;
      this.polyline(ctx, row, width, yOf);
    }
    ctx.globalAlpha = 1;
    ctx.font = `11px ${font}`;
    this.axes.forEach((axis, index) => {
      const x = this.axisX(index, width);
      ctx.strokeStyle = ink;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(Math.round(x) + 0.5, TOP);
      ctx.lineTo(Math.round(x) + 0.5, TOP + span);
      ctx.stroke();
      ctx.fillStyle = ink;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.font = `${axis.role === 'metric' ? 'bold ' : ''}12px ${font}`;
      ctx.fillText(axis.label.length > 22 ? `${axis.label.slice(0, 21)}…` : axis.label, x, TOP - 14);
      ctx.font = `11px ${font}`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      for (const [p, label] of axisTicks(axis)) {
        ctx.fillText(label, x + 4, yOf(p));
      }
      const brush = this.brushes.get(axis.field);
      if (brush) {
        ctx.fillStyle = ink;
        ctx.globalAlpha = 0.25;
        ctx.fillRect(x - 6, yOf(brush.high), 12, yOf(brush.low) - yOf(brush.high));
        ctx.globalAlpha = 1;
      }
    });
    this.lastDrawMs = performance.now() - started;
    this.node.dataset.selected = String(chosen.length);
    this.node.dataset.drawMs = String(this.lastDrawMs);
  }

  private polyline(ctx: CanvasRenderingContext2D, row: IAnalysisRow, width: number, yOf: (p: number) => number): void {
    ctx.beginPath();
    let open = false;
    this.axes.forEach((axis, index) => {
      const p = position(axis, row.values[axis.field]);
      if (!Number.isFinite(p)) {
        open = false;
        return;
      }
      const x = this.axisX(index, width);
      if (open) {
        ctx.lineTo(x, yOf(p));
      } else {
        ctx.moveTo(x, yOf(p));
        open = true;
      }
    });
    ctx.stroke();
  }

  private listen(): void {
    const at = (event: MouseEvent): { x: number; y: number } => {
      const rect = this.canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    };
    const toP = (y: number): number => Math.min(1, Math.max(0, 1 - (y - TOP) / (HEIGHT - TOP - BOTTOM)));
    this.canvas.addEventListener('mousedown', event => {
      const start = at(event);
      const width = Math.max(320, this.node.clientWidth || 800);
      const index = this.axes.findIndex((_, i) => Math.abs(this.axisX(i, width) - start.x) <= GRAB);
      if (index < 0 || event.button !== 0) {
        return;
      }
      event.preventDefault();
      const field = this.axes[index].field;
      let moved = false;
      const move = (e: MouseEvent): void => {
        const now = at(e);
        if (Math.abs(now.y - start.y) < 3) {
          return;
        }
        moved = true;
        const [a, b] = [toP(start.y), toP(now.y)];
        this.brushes.set(field, { low: Math.min(a, b), high: Math.max(a, b) });
        this.draw();
      };
      const up = (): void => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
        if (!moved) {
          this.brushes.delete(field); // a click on an axis clears its brush
          this.draw();
        }
        this.onBrush(this.brushes);
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    });
    this.canvas.addEventListener('mousemove', event => {
      const width = Math.max(320, this.node.clientWidth || 800);
      const point = at(event);
      const near = this.axes.some((_, i) => Math.abs(this.axisX(i, width) - point.x) <= GRAB);
      const row = near ? null : this.rowAt(point, width);
      this.canvas.style.cursor = near ? 'ns-resize' : row ? 'pointer' : 'default';
      this.tip.style.display = row ? 'block' : 'none';
      if (row) {
        this.tip.textContent = `${row.name}: ` + this.axes.map(a => `${a.label} ${formatValue(row.values[a.field])}`)
          .join(' · ');
        this.tip.style.left = `${Math.min(point.x + 12, width - 320)}px`;
        this.tip.style.top = `${Math.max(0, point.y - 30)}px`;
      }
    });
    this.canvas.addEventListener('mouseleave', () => {
      this.tip.style.display = 'none';
    });
    this.canvas.addEventListener('click', event => {
      const row = this.rowAt(at(event), Math.max(320, this.node.clientWidth || 800));
      if (row) {
        this.onOpen(row.id);
      }
    });
  }

  /** The kept run whose line passes within 5 px of the point, between the two axes around it. */
  private rowAt(point: { x: number; y: number }, width: number): IAnalysisRow | null {
    const i = this.axes.findIndex((_, k) => k + 1 < this.axes.length && this.axisX(k, width) <= point.x
      && point.x <= this.axisX(k + 1, width));
    if (i < 0) {
      return null;
    }
    const [x0, x1] = [this.axisX(i, width), this.axisX(i + 1, width)];
    const span = HEIGHT - TOP - BOTTOM;
    let best: IAnalysisRow | null = null;
    let closest = 5;
    for (const row of this.brushes.size ? this.selected() : this.rows) {
      const p0 = position(this.axes[i], row.values[this.axes[i].field]);
      const p1 = position(this.axes[i + 1], row.values[this.axes[i + 1].field]);
      if (!Number.isFinite(p0) || !Number.isFinite(p1)) {
        continue;
      }
      const p = p0 + (p1 - p0) * (point.x - x0) / (x1 - x0 || 1);
      const distance = Math.abs(TOP + span * (1 - p) - point.y);
      if (distance < closest) {
        closest = distance;
        best = row;
      }
    }
    return best;
  }

  private readonly tip: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly resize: ResizeObserver;
  private axes: IAxis[] = [];
  private rows: IAnalysisRow[] = [];
  private width = 0;
}

/** Labels along an axis: every category (up to 12), or the min, middle and max of a numeric one. */
function axisTicks(axis: IAxis): [number, string][] {
  if (axis.kind === 'categorical') {
    const categories = axis.categories ?? [];
    const every = Math.ceil(categories.length / 12);
    return categories.filter((_, i) => i % every === 0).map(c => [position(axis, c), c]);
  }
  const lo = axis.min, hi = axis.max;
  if (lo === null || lo === undefined || hi === null || hi === undefined) {
    return [];
  }
  if (lo === hi) {
    return [[0.5, formatNumber(lo)]];
  }
  const mid = axis.log && lo > 0 ? Math.sqrt(lo * hi) : (lo + hi) / 2;
  return [[0, formatNumber(lo)], [position(axis, mid), formatNumber(mid)], [1, formatNumber(hi)]];
}
