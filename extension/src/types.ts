/** The server's JSON, field for field (names match the Python records). */

export type RunStatus = 'running' | 'finished' | 'failed' | 'timeout' | 'killed' | 'lost';

export interface IMetricSummary {
  last: number | null;
  min: number | null;
  max: number | null;
  step: number;
  count: number;
}

export interface IRun {
  id: string;
  experiment: string;
  name: string | null;
  /** The run's own colour, the same in every row and chart (the palette entry of its row number). */
  colour: string;
  status: RunStatus;
  params: Record<string, unknown>;
  metrics: Record<string, number | null>;
  summaries: Record<string, IMetricSummary>;
  tags: Record<string, string>;
  started_at: string;
  ended_at: string | null;
  duration: number | null;
  notebook: { path: string; sha256: string } | null;
  artifacts: Record<string, string>;
  error: { cell: number | null; ename: string; evalue: string } | null;
  /** Markdown, '' when the run has none. */
  note?: string;
}

export interface IRecord {
  kind: string;
  name: string;
  body: Record<string, any>;
}

export interface ICell {
  index: number;
  wall_s: number;
  cpu_s: number | null;
  rss_peak: number | null;
  rss_delta: number | null;
  status: string;
}

export interface IArtifact {
  name: string;
  sha256: string;
  size: number;
  media_type: string;
}

export interface IRunDetail extends IRun {
  records: IRecord[];
  cells: ICell[];
  artifact_list: IArtifact[];
}

export interface IRunPage {
  runs: IRun[];
  total: number;
  offset: number;
  limit: number;
}

export interface IPoint {
  step: number;
  value: number | null;
  timestamp: number;
}

export interface ISeries {
  id: string;
  series: Record<string, IPoint[]>;
}

export interface IComparison {
  ids: string[];
  runs: IRun[];
  columns: Record<string, unknown[]>;
  differs: Record<string, boolean>;
  best: Record<string, string>;
  differences: IDifferences;
}

/** nbtrack.analyze.differences: every list with one entry per run is in the order of ids. */
export interface IDifferences {
  base: string | null;
  data: IDataDifference[];
  environment: IEnvironmentDifference;
  notebook: INotebookDifference[];
}

export interface IDataDifference {
  name: string;
  fingerprint: (string | null)[];
  rows: (number | null)[];
  missing_share: (number | null)[];
  columns: { column: string; shift: (number | null)[]; changed: boolean[] }[];
}

export interface IEnvironmentDifference {
  captured: boolean;
  facts: { name: string; values: unknown[]; differs: boolean }[];
  packages: IPackageChange[];
}

export interface IPackageChange {
  run: string;
  package: string;
  change: 'added' | 'removed' | 'changed';
  before: string | null;
  after: string | null;
}

export interface INotebookDifference {
  run: string;
  base: string;
  same: boolean;
  cells: ICellChange[];
}

export interface ICellChange {
  cell: number;
  change: 'added' | 'removed' | 'changed';
  text: string;
}

export interface IExperiment {
  name: string;
  runs: number;
  last_started: number | null;
}

export interface IDeclaredParam {
  name: string;
  kind: string;
  default: unknown;
  default_source: string;
  help: string;
}

export interface IExecution {
  id: string;
  notebook: string;
  run_id: string;
  params: Record<string, unknown>;
  state: 'running' | 'finished' | 'failed' | 'killed';
  cells_total: number;
  cells_done: number;
  /** 1-based among cells_total: the cell that raised, as the progress count numbers it. */
  failed_cell: number | null;
  run: IRun | null;
  message?: string;
}

/** GET /runs/fields: every field the store knows, ready for where/order/columns. */
/** A field ready to use in where, order, columns and group (GET /runs/fields). */
export interface IField {
  field: string;
  kind: 'param' | 'metric' | 'tag' | 'data' | 'run';
  label: string;
  values: unknown[];
  /** Metrics: the most points one matched run logged (more than 1: a curve worth charting). */
  steps?: number;
}

export interface IFields {
  fields: IField[];
  default_columns: string[];
}
