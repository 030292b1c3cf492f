/**
 * Charts through JupyterLab's own Vega-Lite renderer (the vega5 mime extension), not hand-drawn SVG.
 *
 * Three rules every chart keeps (issue 20's charts panel builds on them): a series is keyed by
 * its run id, never by a label (two runs of one sweep are two lines); a run is drawn in its own
 * colour (`colour` on every run the server sends), the same in every chart; colours of axes, text and
 * background come from Lab's --jp-* variables, and every chart on screen restyles when the
 * theme changes (followTheme()).
 */

import { IThemeManager } from '@jupyterlab/apputils';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';

import { h } from './dom';

export const VEGALITE = 'application/vnd.vegalite.v5+json';

export type Spec = Record<string, unknown>;

/** Charts on screen: a theme change re-renders each of them. */
const live = new Set<ChartView>();

/** Restyle every open chart when Lab's theme changes (call once, from the plugin). */
export function followTheme(themes: IThemeManager): void {
  themes.themeChanged.connect(() => {
    // the theme's CSS is applied by now; read its variables on the next frame to be sure
    requestAnimationFrame(() => live.forEach(view => view.restyle()));
  });
}

/** Vega-Lite config from Lab's variables: background, text, axes and grid follow the theme. */
export function themeConfig(): Spec {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  const text = v('--jp-ui-font-color1', '#333');
  const muted = v('--jp-ui-font-color2', '#666');
  const grid = v('--jp-border-color2', '#ddd');
  const font = v('--jp-ui-font-family', 'sans-serif');
  return {
    background: v('--jp-layout-color0', 'white'),
    font,
    title: { color: text, font },
    axis: { labelColor: muted, titleColor: text, gridColor: grid, domainColor: grid, tickColor: grid },
    legend: { labelColor: text, titleColor: text },
    view: { stroke: grid },
    text: { color: text }
  };
}

/** One chart: render(spec) draws it (again only when the spec changed); restyle() redraws in the current theme. */
export class ChartView {
  readonly node: HTMLElement;

  constructor(rendermime: IRenderMimeRegistry, cls = 'nbtrack-chart') {
    this.node = h('div', { class: cls });
    if (!rendermime.mimeTypes.includes(VEGALITE)) {
      this.node.append('Charts need the Vega-Lite renderer of JupyterLab (@jupyterlab/vega5-extension).');
      return;
    }
    this.renderer = rendermime.createRenderer(VEGALITE);
    this.node.append(this.renderer.node);
    live.add(this);
  }

  /** Draw spec; the same spec again draws nothing (a live run's refresh keeps an unchanged chart as it is). */
  render(spec: Spec): void {
    const text = JSON.stringify(spec);
    if (text === this.drawn) {
      return;
    }
    this.drawn = text;
    this.spec = spec;
    this.draw();
  }

  /** Draw the last spec again with the theme's current colours. */
  restyle(): void {
    if (this.spec) {
      this.draw();
    }
  }

  dispose(): void {
    live.delete(this);
    this.renderer?.dispose();
    this.renderer = null;
  }

  private draw(): void {
    if (!this.renderer || !this.spec) {
      return;
    }
    const config = { ...themeConfig(), ...((this.spec.config as Spec | undefined) ?? {}) };
    const full = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...this.spec, config };
    // the renderer itself picks vega's dark theme on a dark page; our config sets the exact colours
    void this.renderer.renderModel(new MimeModel({ data: { [VEGALITE]: full as any }, trusted: true }));
  }

  private renderer: ReturnType<IRenderMimeRegistry['createRenderer']> | null = null;
  private spec: Spec | null = null;
  private drawn = '';
}

/** Charts a panel owns: created through it, all disposed with the panel. */
export class Charts {
  constructor(private readonly rendermime: IRenderMimeRegistry) {}

  /** A new chart drawing spec. */
  chart(spec: Spec, cls = 'nbtrack-chart'): HTMLElement {
    const view = this.view(cls);
    view.render(spec);
    return view.node;
  }

  /** A chart to draw later (and again) with render(). */
  view(cls = 'nbtrack-chart'): ChartView {
    const view = new ChartView(this.rendermime, cls);
    this.views.add(view);
    return view;
  }

  /** Forget a chart no longer shown. */
  drop(view: ChartView): void {
    view.dispose();
    this.views.delete(view);
  }

  dispose(): void {
    this.views.forEach(v => v.dispose());
    this.views.clear();
  }

  private readonly views = new Set<ChartView>();
}

/** One run's points of one metric: keyed by the run's id, drawn in its colour, labelled for people. */
export interface IRunSeries {
  run: string;
  label: string;
  colour: string;
  points: { step: number; value: number | null }[];
}

/**
 * Metric series over steps, one line per run. The colour field is the run id (domain: the ids,
 * range: their colours), so two runs with the same label never merge into one line; the legend
 * is drawn in HTML by legend(), where a label is text and not a Vega expression.
 */
export function runLines(series: IRunSeries[], title: string, width = 320): Spec {
  const values = series.flatMap(s => s.points.filter(p => p.value !== null)
    .map(p => ({ run: s.run, label: s.label, step: p.step, value: p.value })));
  return {
    title,
    width,
    height: 160,
    data: { values },
    mark: { type: 'line', point: values.length < 30 * Math.max(1, series.length) && values.length < 60 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
      color: {
        field: 'run',
        type: 'nominal',
        scale: { domain: series.map(s => s.run), range: series.map(s => s.colour) },
        legend: null
      },
      detail: { field: 'run', type: 'nominal' },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'run' },
        { field: 'step', type: 'quantitative' },
        { field: 'value', type: 'quantitative', format: '.4g' }
      ]
    }
  };
}

/** The runs' colours and labels, as text: a swatch and "name · short id" each. */
export function legend(runs: { run: string; label: string; colour: string }[]): HTMLElement {
  return h('div', { class: 'nbtrack-legend' }, ...runs.map(r => {
    const swatch = h('span', { class: 'nbtrack-swatch' });
    swatch.style.background = r.colour;
    return h('span', { class: 'nbtrack-legend-item', attrs: { 'data-run-id': r.run } }, swatch, r.label);
  }));
}

/** A confusion matrix: rows true, columns predicted, cells shaded and labelled with their count. */
export function confusion(labels: string[], matrix: number[][], title: string): Spec {
  const values = matrix.flatMap((row, i) =>
    row.map((count, j) => ({ actual: String(labels[i]), predicted: String(labels[j]), count }))
  );
  const order = labels.map(String);
  const most = Math.max(1, ...values.map(v => v.count));
  return {
    title,
    width: Math.max(120, 40 * labels.length),
    height: Math.max(120, 40 * labels.length),
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: order, title: 'predicted' },
      y: { field: 'actual', type: 'nominal', sort: order, title: 'actual' }
    },
    layer: [
      {
        mark: 'rect',
        encoding: { color: { field: 'count', type: 'quantitative', legend: null, scale: { scheme: 'blues' } } }
      },
      {
        mark: { type: 'text', fontSize: 13 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          // dark text on pale cells, white on deep blue ones: readable in either theme
          color: { condition: { test: `datum.count > ${most / 2}`, value: 'white' }, value: 'black' }
        }
      }
    ]
  };
}

/** ROC or precision-recall curves: x and y arrays per label. */
export function curve(
  curves: { label: string; x: number[]; y: number[] }[],
  xTitle: string,
  yTitle: string,
  title: string
): Spec {
  const values = curves.flatMap(c => c.x.map((x, i) => ({ label: c.label, x, y: c.y[i], order: i })));
  return {
    title,
    width: 220,
    height: 220,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, scale: { domain: [0, 1] } },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: { domain: [0, 1] } },
      order: { field: 'order', type: 'quantitative' },
      color: { field: 'label', type: 'nominal', title: null }
    }
  };
}

/** What each cell cost: wall seconds as bars, peak memory (MB) as a second chart, in the run's colour. */
export function cellCosts(cells: { index: number; wall_s: number; rss_peak: number | null }[], colour: string): Spec {
  const values = cells.map(c => ({
    cell: c.index,
    wall: c.wall_s,
    memory: c.rss_peak === null ? null : c.rss_peak / 1e6
  }));
  return {
    title: 'per-cell cost',
    data: { values },
    hconcat: [
      {
        width: 260,
        height: 140,
        mark: { type: 'bar', color: colour },
        encoding: {
          x: { field: 'cell', type: 'ordinal', title: 'cell' },
          y: { field: 'wall', type: 'quantitative', title: 'wall time (s)' },
          tooltip: [{ field: 'cell' }, { field: 'wall', format: '.3g' }]
        }
      },
      {
        width: 260,
        height: 140,
        mark: { type: 'bar', color: colour, opacity: 0.6 },
        encoding: {
          x: { field: 'cell', type: 'ordinal', title: 'cell' },
          y: { field: 'memory', type: 'quantitative', title: 'peak memory (MB)' },
          tooltip: [{ field: 'cell' }, { field: 'memory', format: '.3g' }]
        }
      }
    ]
  };
}
