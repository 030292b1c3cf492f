/**
 * Line charts of many runs on one canvas: each run its own x values, the min/max band of each
 * downsampling bucket, exponential smoothing with the raw line kept faint, a ± std band for
 * grouped means, linear or log y, drag to zoom, shift-drag to pan, double-click to reset.
 * Colours come from Lab's --jp-* variables at each draw, so a theme change needs only redraw().
 */

import { formatNumber } from './format';
import { fitCanvas } from './theme';
import { mapped, nearest, smooth } from './curves';
import { band, path } from './strokes';
import { XKind, logTicks, ticks, timeTicks, xText } from './ticks';

export { XKind };

export interface ILine {
  id: string;
  label: string;
  colour: string;
  x: Float64Array;
  /** Each bucket's last value (NaN: a gap). */
  y: Float64Array;
  /** Each bucket's min and max: the band that keeps spikes visible. */
  lo?: Float64Array;
  hi?: Float64Array;
  /** A group's standard deviation around y (the mean). */
  spread?: Float64Array;
}

export interface IPlotOptions {
  logY: boolean;
  /** 0 (raw) to 0.99: the EMA weight of the past. */
  smoothing: number;
  xKind: XKind;
  xLabel: string;
}

interface IView {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const HEIGHT = 240;
const PAD = { left: 56, right: 12, top: 8, bottom: 30 };

export class Plot {
  readonly node: HTMLDivElement;
  /** Milliseconds the last draw took (the benchmark reads it). */
  lastDrawMs = 0;
  draws = 0;

  constructor(options: IPlotOptions) {
    this.options = { ...options };
    this.node = document.createElement('div');
    this.node.className = 'nbtrack-plot';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.box = document.createElement('div');
    this.box.className = 'nbtrack-plot-box';
    this.tip = document.createElement('div');
    this.tip.className = 'nbtrack-plot-tip';
    this.node.append(this.canvas, this.box, this.tip);
    this.listen();
    this.resize = new ResizeObserver(() => {
      if (this.node.clientWidth !== this.width) {
        this.draw();
      }
    });
    this.resize.observe(this.node);
  }

  get zoomed(): boolean {
    return this.view !== null;
  }

  setLines(lines: ILine[]): void {
    this.lines = lines;
    this.version += 1;
    this.smoothed.clear();
    this.draw();
  }

  setOptions(options: Partial<IPlotOptions>): void {
    if (options.logY !== undefined && options.logY !== this.options.logY) {
      this.view = null;
    }
    if (options.xKind !== undefined && options.xKind !== this.options.xKind) {
      this.view = null;
    }
    if (options.smoothing !== undefined && options.smoothing !== this.options.smoothing) {
      this.smoothed.clear();
    }
    Object.assign(this.options, options);
    this.draw();
  }

  resetZoom(): void {
    this.view = null;
    this.draw();
  }

  /** Redraw as is (a theme change, a resize). */
  redraw(): void {
    this.draw();
  }

  dispose(): void {
    window.cancelIdleCallback?.(this.idle);
    this.resize.disconnect();
  }

  // --- drawing ---

  private draw(): void {
    const started = performance.now();
    const width = Math.max(200, this.node.clientWidth || 600);
    this.width = this.node.clientWidth;
    const ratio = window.devicePixelRatio || 1;  // the underlay below is cached per ratio
    const ctx = fitCanvas(this.canvas, width, HEIGHT);
    if (!ctx) {
      return;
    }
    const style = getComputedStyle(this.node);
    const ink = style.getPropertyValue('--jp-ui-font-color2').trim() || '#616161';
    const grid = style.getPropertyValue('--jp-border-color2').trim() || '#e0e0e0';
    const font = style.getPropertyValue('--jp-ui-font-family').trim() || 'sans-serif';
    const view = this.view ?? this.extent();
    this.shown = view;
    const plotW = width - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    this.area = { left: PAD.left, top: PAD.top, width: plotW, height: plotH };
    if (!view) {
      ctx.fillStyle = ink;
      ctx.font = `12px ${font}`;
      ctx.fillText('no points to draw', PAD.left + 8, PAD.top + 20);
      this.finish(started);
      return;
    }
    const log = this.options.logY;
    const ty = (v: number): number => (log ? (v > 0 ? Math.log10(v) : NaN) : v);
    const sx = plotW / (view.x1 - view.x0 || 1);
    const sy = plotH / (view.y1 - view.y0 || 1);
    const px = (x: number): number => PAD.left + (x - view.x0) * sx;
    const py = (v: number): number => PAD.top + plotH - (ty(v) - view.y0) * sy;

    this.axes(ctx, view, width, plotW, plotH, ink, grid, font);
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top, plotW, plotH);
    ctx.clip();
    const weight = this.options.smoothing;
    // Lines of width 1 are hairlines, which Skia rasterizes many times faster than wider strokes (a
    // million points: 0.19 s instead of 1.6 s); wider lines only while the chart is light.
    const total = this.lines.reduce((n, line) => n + line.x.length, 0);
    const stroke = total > 50_000 ? 1 : 1.5;
    // Bands and faint raw lines do not change with the smoothing: kept as a bitmap, so moving the
    // slider draws only the smoothed lines over it. A heavy chart prepares it while the page is idle.
    const key = `${this.version}|${width}|${ratio}|${JSON.stringify(view)}|${this.options.logY}`;
    const underlay = (): HTMLCanvasElement => this.underlayFor(key, ratio, plotW, plotH, px, py);
    window.cancelIdleCallback?.(this.idle);
    if (weight > 0) {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(underlay(), 0, 0);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    } else if (total > 50_000 && window.requestIdleCallback) {
      this.idle = window.requestIdleCallback(() => void underlay(), { timeout: 2000 });
    }
    for (const line of this.lines) {
      if (weight === 0) {
        this.bandOf(ctx, line, px, py);
      }
      ctx.strokeStyle = line.colour;
      ctx.globalAlpha = 1;
      ctx.lineWidth = stroke;
      path(ctx, line.x, weight > 0 ? this.smoothedOf(line) : line.y, px, py);
    }
    ctx.restore();
    ctx.globalAlpha = 1;
    this.finish(started);
  }

  private finish(started: number): void {
    this.lastDrawMs = performance.now() - started;
    this.draws += 1;
    // What is on screen, for tests and benchmarks: the drawn range (log10 on a log axis) and points.
    const data = this.node.dataset;
    data.draws = String(this.draws);
    data.zoomed = String(this.view !== null);
    data.view = this.shown ? JSON.stringify(this.shown) : '';
    data.points = String(this.lines.reduce((n, line) => n + line.x.length, 0));
  }

  private underlayFor(key: string, ratio: number, plotW: number, plotH: number, px: (x: number) => number,
                      py: (v: number) => number): HTMLCanvasElement {
    if (this.underlay?.key === key) {
      return this.underlay.canvas;
    }
    this.underlay = { key, canvas: this.underlay?.canvas ?? document.createElement('canvas') };
    const under = this.underlay.canvas;
    under.width = this.canvas.width;
    under.height = this.canvas.height;
    const uctx = under.getContext('2d')!;
    uctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    uctx.beginPath();
    uctx.rect(PAD.left, PAD.top, plotW, plotH);
    uctx.clip();
    for (const line of this.lines) {
      this.bandOf(uctx, line, px, py);
      uctx.strokeStyle = line.colour;
      uctx.globalAlpha = 0.25;
      uctx.lineWidth = 1;
      path(uctx, line.x, line.y, px, py);
    }
    return under;
  }

  private bandOf(ctx: CanvasRenderingContext2D, line: ILine, px: (x: number) => number,
                 py: (v: number) => number): void {
    ctx.fillStyle = line.colour;
    if (line.spread) {
      ctx.globalAlpha = 0.2;
      band(ctx, line.x, mapped(line.y, line.spread, -1), mapped(line.y, line.spread, 1), px, py);
    } else if (line.lo && line.hi && this.hasBand(line)) {
      ctx.globalAlpha = 0.14;
      band(ctx, line.x, line.lo, line.hi, px, py);
    }
  }

  /** Whether any bucket holds more than one value (else min = max = last: nothing to shade). */
  private hasBand(line: ILine): boolean {
    let found = this.banded.get(line);
    if (found === undefined) {
      found = false;
      for (let i = 0; i < line.x.length && !found; i++) {
        found = line.lo![i] !== line.hi![i] && Number.isFinite(line.lo![i]) && Number.isFinite(line.hi![i]);
      }
      this.banded.set(line, found);
    }
    return found;
  }

  private smoothedOf(line: ILine): Float64Array {
    let found = this.smoothed.get(line);
    if (!found) {
      found = smooth(line.y, this.options.smoothing);
      this.smoothed.set(line, found);
    }
    return found;
  }

  private axes(ctx: CanvasRenderingContext2D, view: IView, width: number, plotW: number, plotH: number,
               ink: string, grid: string, font: string): void {
    ctx.font = `11px ${font}`;
    ctx.lineWidth = 1;
    ctx.strokeStyle = grid;
    ctx.fillStyle = ink;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const yTicks = this.options.logY ? logTicks(view.y0, view.y1) : ticks(view.y0, view.y1, 5);
    for (const t of yTicks) {
      const y = PAD.top + plotH - (t - view.y0) * (plotH / (view.y1 - view.y0 || 1));
      ctx.beginPath();
      ctx.moveTo(PAD.left, Math.round(y) + 0.5);
      ctx.lineTo(PAD.left + plotW, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillText(formatNumber(this.options.logY ? Math.pow(10, t) : t), PAD.left - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const count = Math.max(2, Math.floor(plotW / 90));
    const xTicks = this.options.xKind === 'number' ? ticks(view.x0, view.x1, count)
      : timeTicks(view.x0, view.x1, count);
    for (const t of xTicks) {
      const x = PAD.left + (t - view.x0) * (plotW / (view.x1 - view.x0 || 1));
      ctx.beginPath();
      ctx.moveTo(Math.round(x) + 0.5, PAD.top);
      ctx.lineTo(Math.round(x) + 0.5, PAD.top + plotH);
      ctx.stroke();
      const label = xText(t, this.options.xKind, view.x1 - view.x0);
      const half = ctx.measureText(label).width / 2;
      // A label at the right edge is drawn inside the canvas, not cut.
      ctx.fillText(label, Math.min(x, width - PAD.right - half), PAD.top + plotH + 4);
    }
    ctx.textAlign = 'right';
    ctx.fillText(this.options.xLabel, width - PAD.right, PAD.top + plotH + 16);
  }

  /** The data's bounds in drawn units (log10 on a log axis), y padded by 5%. */
  private extent(): IView | null {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    const log = this.options.logY;
    const take = (v: number): void => {
      const t = log ? (v > 0 ? Math.log10(v) : NaN) : v;
      if (Number.isFinite(t)) {
        if (t < y0) { y0 = t; }
        if (t > y1) { y1 = t; }
      }
    };
    for (const line of this.lines) {
      for (let i = 0; i < line.x.length; i++) {
        const x = line.x[i];
        if (!Number.isFinite(x) || !Number.isFinite(line.y[i])) {
          continue;
        }
        if (x < x0) { x0 = x; }
        if (x > x1) { x1 = x; }
        take(line.y[i]);
        if (line.lo && line.hi) {
          take(line.lo[i]);
          take(line.hi[i]);
        }
        if (line.spread && Number.isFinite(line.spread[i])) {
          take(line.y[i] - line.spread[i]);
          take(line.y[i] + line.spread[i]);
        }
      }
    }
    if (!Number.isFinite(x0) || !Number.isFinite(y0)) {
      return null;
    }
    if (x0 === x1) { x0 -= 1; x1 += 1; }
    if (y0 === y1) { y0 -= Math.abs(y0) * 0.1 || 1; y1 += Math.abs(y1) * 0.1 || 1; }
    const pad = (y1 - y0) * 0.05;
    return { x0, x1, y0: y0 - pad, y1: y1 + pad };
  }

  // --- zoom, pan, hover ---

  private listen(): void {
    const at = (event: MouseEvent): { x: number; y: number } => {
      const rect = this.canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    };
    this.canvas.addEventListener('mousedown', event => {
      if (event.button !== 0 || !this.shown) {
        return;
      }
      event.preventDefault();
      const start = at(event);
      const from = { ...this.shown };
      const pan = event.shiftKey;
      const move = (e: MouseEvent): void => {
        const now = at(e);
        if (pan) {
          const dx = (now.x - start.x) / this.area.width * (from.x1 - from.x0);
          const dy = (now.y - start.y) / this.area.height * (from.y1 - from.y0);
          this.view = { x0: from.x0 - dx, x1: from.x1 - dx, y0: from.y0 + dy, y1: from.y1 + dy };
          this.draw();
        } else {
          const box = this.box.style;
          const tall = Math.abs(now.y - start.y) >= 10;
          box.display = 'block';
          box.left = `${Math.min(start.x, now.x)}px`;
          box.width = `${Math.abs(now.x - start.x)}px`;
          box.top = `${tall ? Math.min(start.y, now.y) : this.area.top}px`;
          box.height = `${tall ? Math.abs(now.y - start.y) : this.area.height}px`;
        }
      };
      const up = (e: MouseEvent): void => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
        this.box.style.display = 'none';
        if (pan) {
          return;
        }
        const end = at(e);
        if (Math.abs(end.x - start.x) < 5) {
          return;
        }
        const [xa, xb] = [this.toX(Math.min(start.x, end.x), from), this.toX(Math.max(start.x, end.x), from)];
        const tall = Math.abs(end.y - start.y) >= 10;
        const [ya, yb] = tall ? [this.toY(Math.max(start.y, end.y), from), this.toY(Math.min(start.y, end.y), from)]
          : [from.y0, from.y1];
        this.view = { x0: xa, x1: xb, y0: ya, y1: yb };
        this.draw();
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    });
    this.canvas.addEventListener('dblclick', () => this.resetZoom());
    this.canvas.addEventListener('mousemove', event => this.hover(at(event)));
    this.canvas.addEventListener('mouseleave', () => {
      this.tip.style.display = 'none';
    });
  }

  private toX(px: number, view: IView): number {
    return view.x0 + (px - this.area.left) / this.area.width * (view.x1 - view.x0);
  }

  private toY(py: number, view: IView): number {
    return view.y0 + (this.area.top + this.area.height - py) / this.area.height * (view.y1 - view.y0);
  }

  /** The nearest drawn point (within 12 px) named in a tooltip: the run, x and the value drawn. */
  private hover(point: { x: number; y: number }): void {
    const view = this.shown;
    if (!view || this.lines.length === 0) {
      return;
    }
    const x = this.toX(point.x, view);
    let best: { line: ILine; index: number; distance: number; value: number } | null = null;
    for (const line of this.lines) {
      const ys = this.options.smoothing > 0 ? this.smoothedOf(line) : line.y;
      const index = nearest(line.x, x);
      if (index < 0) {
        continue;
      }
      const value = ys[index];
      const t = this.options.logY ? (value > 0 ? Math.log10(value) : NaN) : value;
      const py = this.area.top + this.area.height - (t - view.y0) / (view.y1 - view.y0) * this.area.height;
      const px = this.area.left + (line.x[index] - view.x0) / (view.x1 - view.x0) * this.area.width;
      const distance = Math.hypot(px - point.x, py - point.y);
      if (Number.isFinite(distance) && (!best || distance < best.distance)) {
        best = { line, index, distance, value };
      }
    }
    if (!best || best.distance > 12) {
      this.tip.style.display = 'none';
      return;
    }
    const spread = best.line.spread ? ` ± ${formatNumber(best.line.spread[best.index])}` : '';
    this.tip.textContent = `${best.line.label}  ${this.options.xLabel} ${xText(best.line.x[best.index],
      this.options.xKind, view.x1 - view.x0)}: ${formatNumber(best.value)}${spread}`;
    this.tip.style.display = 'block';
    this.tip.style.left = `${Math.min(point.x + 12, this.area.left + this.area.width - 160)}px`;
    this.tip.style.top = `${Math.max(0, point.y - 28)}px`;
  }

  private readonly options: IPlotOptions;
  private readonly canvas: HTMLCanvasElement;
  private readonly box: HTMLDivElement;
  private readonly tip: HTMLDivElement;
  private readonly resize: ResizeObserver;
  private readonly smoothed = new Map<ILine, Float64Array>();
  private readonly banded = new WeakMap<ILine, boolean>();
  private underlay: { key: string; canvas: HTMLCanvasElement } | null = null;
  private version = 0;
  private idle = 0;
  private lines: ILine[] = [];
  private view: IView | null = null;
  private shown: IView | null = null;
  private width = 0;
  private area = { left: PAD.left, top: PAD.top, width: 1, height: 1 };
}
