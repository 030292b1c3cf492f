/** Charts through JupyterLab's own Vega-Lite renderer (the vega5 mime extension), not hand-drawn SVG. */

import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';

import { h } from './dom';

export const VEGALITE = 'application/vnd.vegalite.v5+json';

export type Spec = Record<string, unknown>;

/** Render a Vega-Lite spec into a new element (a note if Lab has no Vega-Lite renderer). */
export function chart(rendermime: IRenderMimeRegistry, spec: Spec, cls = 'nbtrack-chart'): HTMLElement {
  const host = h('div', { class: cls });
  if (!rendermime.mimeTypes.includes(VEGALITE)) {
    host.append('Charts need the Vega-Lite renderer of JupyterLab (@jupyterlab/vega5-extension).');
    return host;
  }
  const renderer = rendermime.createRenderer(VEGALITE);
  host.append(renderer.node);
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec };
  void renderer.renderModel(new MimeModel({ data: { [VEGALITE]: full as any }, trusted: true }));
  return host;
}

/** Metric series over steps, one line per series name. */
export function lines(
  points: { step: number; value: number | null; series: string }[],
  title: string,
  width = 320
): Spec {
  return {
    title,
    width,
    height: 160,
    data: { values: points.filter(p => p.value !== null) },
    mark: { type: 'line', point: points.length < 30 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [
        { field: 'series', type: 'nominal' },
        { field: 'step', type: 'quantitative' },
        { field: 'value', type: 'quantitative', format: '.4g' }
      ]
    }
  };
}

/** A confusion matrix: rows true, columns predicted, cells shaded and labelled with their count. */
export function confusion(labels: string[], matrix: number[][], title: string): Spec {
  const values = matrix.flatMap((row, i) =>
    row.map((count, j) => ({ actual: String(labels[i]), predicted: String(labels[j]), count }))
  );
  const order = labels.map(String);
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
          color: { condition: { test: 'datum.count > 0', value: 'black' }, value: 'gray' }
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

/** What each cell cost: wall seconds as bars, peak memory (MB) as a second chart. */
export function cellCosts(cells: { index: number; wall_s: number; rss_peak: number | null }[]): Spec {
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
        mark: 'bar',
        encoding: {
          x: { field: 'cell', type: 'ordinal', title: 'cell' },
          y: { field: 'wall', type: 'quantitative', title: 'wall time (s)' },
          tooltip: [{ field: 'cell' }, { field: 'wall', format: '.3f' }]
        }
      },
      {
        width: 260,
        height: 140,
        mark: { type: 'bar', color: '#e45756' },
        encoding: {
          x: { field: 'cell', type: 'ordinal', title: 'cell' },
          y: { field: 'memory', type: 'quantitative', title: 'peak memory (MB)' },
          tooltip: [{ field: 'cell' }, { field: 'memory', format: '.1f' }]
        }
      }
    ]
  };
}
