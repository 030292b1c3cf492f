/**
 * A run's artifacts in the run detail: each with its type, formatted size and a Download button, and
 * a preview opened in its own row (click or Enter/Space): an image inline, a CSV or Parquet head as a
 * table, JSON pretty-printed, text as it is; a notebook opens in the read-only, untrusted viewer.
 * Everything taken from an artifact goes in as text, never as HTML.
 */

import { h } from './dom';
import { formatSize, formatValue } from './format';
import { requestAPI, requestBlob } from './request';
import { IArtifact } from './types';

/** Images a browser shows in an <img> (an SVG there runs no script). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml']);
/** A larger image is not fetched for a preview: Download it. */
export const MAX_IMAGE_BYTES = 20_000_000;

export type PreviewKind = 'notebook' | 'image' | 'csv' | 'parquet' | 'json' | 'text' | '';

/** What the server's preview route says (analyze/previews.py): a table's head or a text's start. */
interface IPreview {
  kind: string;
  size: number;
  columns?: string[];
  total_columns?: number;
  rows?: string[][];
  total_rows?: number | null;
  /** a table's file may hold rows past those shown */
  more_rows?: boolean;
  text?: string;
  /** rows, columns or text were left out */
  truncated?: boolean;
}

export interface IArtifactActions {
  /** Open a stored notebook artifact in the read-only viewer. */
  openNotebook(artifact: string): void;
}

/**
 * How an artifact is previewed: a notebook first, then the rule of analyze/previews.py's
 * preview_kind (media type, then the name's extension); images only of the types a browser shows.
 */
export function previewKind(artifact: IArtifact): PreviewKind {
  const media = (artifact.media_type || '').split(';')[0].trim().toLowerCase();
  const base = artifact.name.split('/').pop() ?? '';
  const suffix = base.includes('.') ? base.split('.').pop()!.toLowerCase() : '';
  if (suffix === 'ipynb' || media === 'application/x-ipynb+json') {
    return 'notebook';
  }
  if (media === 'text/csv' || media === 'text/tab-separated-values' || media === 'application/csv' ||
      suffix === 'csv' || suffix === 'tsv') {
    return 'csv';
  }
  if (['application/vnd.apache.parquet', 'application/x-parquet', 'application/parquet'].includes(media) ||
      suffix === 'parquet' || suffix === 'pq') {
    return 'parquet';
  }
  if (['application/json', 'application/ld+json', 'application/geo+json'].includes(media) || media.endsWith('+json') ||
      suffix === 'json' || suffix === 'jsonl') {
    return 'json';
  }
  if (media.startsWith('image/')) {
    return IMAGE_TYPES.has(media) ? 'image' : '';
  }
  if (media.startsWith('text/') || ['txt', 'md', 'log', 'yaml', 'yml', 'toml', 'py', 'cfg', 'ini'].includes(suffix)) {
    return 'text';
  }
  return '';
}

/** The artifact's path under the run, each part of its name encoded. */
function artifactPath(runId: string, name: string): string {
  return `runs/${encodeURIComponent(runId)}/artifacts/${name.split('/').map(encodeURIComponent).join('/')}`;
}

let rowCount = 0;

/** One artifact's row and, while expanded, its preview row below it. */
interface IRow {
  artifact: IArtifact;
  row: HTMLTableRowElement;
  toggle: HTMLButtonElement;
  preview: ArtifactPreview | null;
}

/** The artifacts table; update() keeps the rows (and open previews) of artifacts that did not change. */
export class ArtifactList {
  constructor(private readonly actions: IArtifactActions) {}

  readonly node = h('div', { class: 'nbtrack-artifact-list' });

  update(runId: string, artifacts: IArtifact[]): void {
    this.runId = runId;
    const listed = new Set<string>();
    const order: HTMLTableRowElement[] = [];
    for (const artifact of artifacts) {
      const key = `${artifact.name}\0${artifact.sha256}\0${artifact.media_type}`;
      listed.add(key);
      let row = this.rows.get(key);
      if (!row) {
        row = this.row(artifact);
        this.rows.set(key, row);
      }
      order.push(row.row);
      if (row.preview) {
        order.push(row.preview.row);
      }
    }
    for (const [key, row] of this.rows) {
      if (!listed.has(key)) {
        this.collapse(row);
        row.row.remove();
        this.rows.delete(key);
      }
    }
    // rows already in place are not moved: a focused button keeps its focus
    order.forEach((node, i) => {
      if (this.body.children[i] !== node) {
        this.body.insertBefore(node, this.body.children[i] ?? null);
      }
    });
    this.table.hidden = artifacts.length === 0;
    this.empty.hidden = artifacts.length > 0;
    if (!this.node.firstChild) {
      this.node.append(this.table, this.empty, this.error);
    }
  }

  /** Collapse every preview (their image URLs are released). */
  dispose(): void {
    this.rows.forEach(row => this.collapse(row));
  }

  private row(artifact: IArtifact): IRow {
    const id = `nbtrack-artifact-preview-${++rowCount}`;
    // the toggle draws its chevron in CSS: the name cell's text is the name alone
    const toggle = h('button', {
      class: 'nbtrack-artifact-toggle',
      title: 'show a preview',
      attrs: { 'aria-expanded': 'false', 'aria-controls': id, 'aria-label': `preview ${artifact.name}` }
    });
    const row = h('tr', { class: 'nbtrack-artifact-row' },
      h('td', { class: 'nbtrack-artifact-name' }, toggle, artifact.name), h('td', {}, artifact.media_type || '-'), h('td', { class: 'nbtrack-number' }, formatSize(artifact.size)),
      h('td', {}, this.download(artifact)));
    row.dataset.artifact = artifact.name;
    const entry: IRow = { artifact, row, toggle, preview: null };
    // the whole row opens the preview; the Download button only downloads
    row.addEventListener('click', event => {
      if (!(event.target as Element).closest('.nbtrack-download')) {
        if (entry.preview) {
          this.collapse(entry);
        } else {
          this.expand(entry, id);
        }
      }
    });
    return entry;
  }

  private expand(entry: IRow, id: string): void {
    const preview = new ArtifactPreview(this.runId, entry.artifact, id, this.actions);
    entry.preview = preview;
    entry.toggle.setAttribute('aria-expanded', 'true');
    entry.toggle.title = 'hide the preview';
    entry.row.classList.add('nbtrack-expanded');
    entry.row.after(preview.row);
    void preview.load();
  }

  private collapse(entry: IRow): void {
    if (!entry.preview) {
      return;
    }
    entry.preview.dispose();
    entry.preview.row.remove();
    entry.preview = null;
    entry.toggle.setAttribute('aria-expanded', 'false');
    entry.toggle.title = 'show a preview';
    entry.row.classList.remove('nbtrack-expanded');
  }

  /** A Download button: the bytes fetched with Lab's auth, saved from an object URL. */
  private download(artifact: IArtifact): HTMLButtonElement {
    const button = h('button', { class: 'jp-mod-styled nbtrack-download', attrs: { 'aria-label': `download ${artifact.name}` } }, 'Download');
    button.addEventListener('click', async () => {
      try {
        const blob = await requestBlob(artifactPath(this.runId, artifact.name));
        const url = URL.createObjectURL(blob);
        const link = h('a', { attrs: { href: url, download: artifact.name.split('/').pop() || 'artifact' } });
        document.body.append(link);
        link.click();
        link.remove();
        window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
        this.error.textContent = '';
      } catch (e) {
        this.error.textContent = `${artifact.name}: ${(e as Error).message}`;
      }
    });
    return button;
  }

  private runId = '';
  private readonly rows = new Map<string, IRow>();
  private readonly body = h('tbody', {});
  private readonly table = h('table', { class: 'nbtrack-table nbtrack-artifacts' },
    h('thead', {}, h('tr', {}, h('th', {}, 'name'), h('th', {}, 'type'), h('th', { class: 'nbtrack-number' }, 'size'), h('th', {}, ''))), this.body);
  private readonly empty = h('div', { class: 'nbtrack-note' }, 'no artifacts');
  private readonly error = h('div', { class: 'nbtrack-error' });
}

/** One artifact's preview, in a table row of its own below the artifact's row. */
export class ArtifactPreview {
  constructor(
    private readonly runId: string,
    private readonly artifact: IArtifact,
    id: string,
    private readonly actions: IArtifactActions
  ) {
    this.body = h('div', {
      class: 'nbtrack-preview',
      attrs: { id, role: 'region', 'aria-label': `preview of ${artifact.name}` }
    }, h('div', { class: 'nbtrack-note' }, 'loading preview…'));
    this.row = h('tr', { class: 'nbtrack-artifact-preview' }, h('td', { attrs: { colspan: '4' } }, this.body));
  }

  readonly row: HTMLTableRowElement;

  async load(): Promise<void> {
    try {
      this.show(await this.content());
    } catch (e) {
      // the server's one-line reason (malformed CSV, too large, ...), in the row
      this.show([h('div', { class: 'nbtrack-error nbtrack-preview-error' }, (e as Error).message)]);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.url) {
      URL.revokeObjectURL(this.url);
      this.url = '';
    }
  }

  private show(content: Node[]): void {
    if (!this.disposed) {
      this.body.replaceChildren(...content);
    }
  }

  private async content(): Promise<Node[]> {
    const artifact = this.artifact;
    const kind = previewKind(artifact);
    if (kind === 'notebook') {
      const open = h('button', { class: 'jp-mod-styled jp-mod-accept nbtrack-open-artifact-notebook' }, 'Open read-only notebook');
      open.addEventListener('click', () => this.actions.openNotebook(artifact.name));
      return [h('div', { class: 'nbtrack-note' }, 'A notebook: it opens in a tab of its own, read-only, its outputs untrusted.'), open];
    }
    if (kind === 'image') {
      return this.image();
    }
    if (!kind) {
      return [h('div', { class: 'nbtrack-note' }, `no preview for ${artifact.media_type || 'files of no known type'}; use Download`)];
    }
    const found = await requestAPI<IPreview>(`${artifactPath(this.runId, artifact.name)}/preview`);
    if (Array.isArray(found.columns) && Array.isArray(found.rows)) {
      return headTable(found);
    }
    return textBlock(found, kind, artifact);
  }

  private async image(): Promise<Node[]> {
    const artifact = this.artifact;
    if (artifact.size > MAX_IMAGE_BYTES) {
      return [h('div', { class: 'nbtrack-note' }, `an image of ${formatSize(artifact.size)}, more than a preview shows; use Download`)];
    }
    const blob = await requestBlob(artifactPath(this.runId, artifact.name));
    if (this.disposed) {
      return [];
    }
    this.url = URL.createObjectURL(blob);
    const img = h('img', { class: 'nbtrack-preview-image', attrs: { alt: artifact.name } });
    img.src = this.url;
    return [img];
  }

  private readonly body: HTMLElement;
  private url = '';
  private disposed = false;
}

/** "1,000 rows", "1 row". */
const count = (n: number, what = ''): string => `${n.toLocaleString('en-US')}${what ? ` ${what}${n === 1 ? '' : 's'}` : ''}`;

/** A table's head: its counts said, a header row, values formatted as everywhere in nbtrack. */
function headTable(found: IPreview): Node[] {
  const columns = found.columns!;
  const rows = found.rows!;
  const totalColumns = found.total_columns ?? columns.length;
  const said: string[] = [];
  if (typeof found.total_rows === 'number') {
    said.push(rows.length < found.total_rows ? `first ${count(rows.length)} of ${count(found.total_rows, 'row')}` : count(found.total_rows, 'row'));
  } else {
    // a CSV is not read to its end: past its head its row count is unknown, more_rows says whether
    // the server stopped at its row or read limit
    said.push(found.more_rows && rows.length ? `first ${count(rows.length, 'row')}; the file may hold more`
      : count(rows.length, 'row'));
  }
  said.push(columns.length < totalColumns ? `first ${count(columns.length)} of ${count(totalColumns, 'column')}` : count(columns.length, 'column'));
  const numeric = columns.map((_, c) => rows.some(r => r[c] !== '') && rows.every(r => r[c] === '' || NUMBER.test(r[c] ?? '')));
  const table = h('table', { class: 'nbtrack-table nbtrack-preview-table' },
    h('thead', {}, h('tr', {}, ...columns.map((c, i) => h('th', { class: numeric[i] ? 'nbtrack-number' : '' }, c)))),
    h('tbody', {}, ...rows.map(r => h('tr', {}, ...columns.map((_, c) => cell(r[c] ?? null, numeric[c]))))));
  return [h('div', { class: 'nbtrack-note nbtrack-preview-counts' }, said.join(' · ')), h('div', { class: 'nbtrack-preview-scroll' }, table)];
}

/** A number as a CSV writes it (the server keeps CSV cells as text). */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(inf|nan)$/i;

/**
 * One cell: a decimal number (with a point or an exponent) shown by formatValue, the stored text in
 * its title; whole numbers and text as stored (an id such as 000123 keeps its zeros).
 */
function cell(text: string | null, numeric: boolean): HTMLTableCellElement {
  const td = h('td', { class: numeric ? 'nbtrack-number' : '' });
  if (text !== null && NUMBER.test(text) && /[.eEnN]/.test(text)) {
    const shown = formatValue(Number(text.replace(/^\+?(inf)$/i, 'Infinity').replace(/^-(inf)$/i, '-Infinity')));
    td.textContent = shown;
    if (shown !== text) {
      td.title = text;
    }
  } else {
    td.textContent = formatValue(text);
  }
  return td;
}

/** JSON pretty-printed (each number and string as stored), text as it is; a cut-off start says so. */
function textBlock(found: IPreview, kind: PreviewKind, artifact: IArtifact): Node[] {
  const text = found.text ?? '';
  const shown: Node[] = [];
  let body = text;
  if (found.truncated) {
    const bytes = new TextEncoder().encode(text).length;
    shown.push(h('div', { class: 'nbtrack-note nbtrack-preview-counts' },
      `first ${formatSize(bytes)} of ${formatSize(artifact.size)}; Download for the whole file`));
  } else if (kind === 'json') {
    try {
      JSON.parse(text);
      body = prettyJson(text);
    } catch (e) {
      const lines = text.split('\n').filter(line => line.trim());
      if (lines.length > 1 && lines.every(isJson)) {
        body = lines.join('\n'); // JSON lines: one value a line, as stored
      } else {
        shown.push(h('div', { class: 'nbtrack-note' }, `not valid JSON (${(e as Error).message}); shown as stored`));
      }
    }
  }
  shown.push(h('pre', { class: `nbtrack-preview-text nbtrack-preview-${kind}` }, body));
  return shown;
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * Valid JSON text indented two spaces a level. Tokens are copied as written, not parsed and
 * printed again: a number such as 12345678901234567890 or 0.10 keeps every digit.
 */
export function prettyJson(text: string): string {
  const out: string[] = [];
  const pad = (depth: number): string => '\n' + '  '.repeat(depth);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        j += text[j] === '\\' ? 2 : 1;
      }
      out.push(text.slice(i, j + 1));
      i = j;
    } else if (c === '{' || c === '[') {
      let j = i + 1;
      while (/\s/.test(text[j] ?? '')) {
        j++;
      }
      if (text[j] === (c === '{' ? '}' : ']')) {
        out.push(c, text[j]); // an empty object or list stays on one line
        i = j;
      } else {
        depth++;
        out.push(c, pad(depth));
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out.push(pad(depth), c);
    } else if (c === ',') {
      out.push(',', pad(depth));
    } else if (c === ':') {
      out.push(': ');
    } else if (!/\s/.test(c)) {
      out.push(c);
    }
  }
  return out.join('');
}
