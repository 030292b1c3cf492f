/** The server JSON of the charts, sweep analysis and models routes (names as sent). */

/** One run's series of GET /series: buckets of consecutive points, each its last x/value and min/max. */
export interface ISeriesRun {
  id: string;
  name: string;
  status: string;
  last_step: number | null;
  count: number;
  x: (number | null)[];
  last: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  step: number[];
}

export interface ISeriesAnswer {
  key: string;
  x: string;
  points: number;
  after: number | null;
  runs: ISeriesRun[];
}

/** GET /series/groups: per group (a param's or tag's value) and shared x bin, stats over its runs. */
export interface IGroupSeries {
  key: string;
  x: string;
  group: string;
  points: number;
  /** Each bin's right edge. */
  bins: (number | null)[];
  groups: { value: unknown; runs: string[]; mean: (number | null)[]; std: (number | null)[];
    min: (number | null)[]; max: (number | null)[]; count: number[] }[];
}

export interface IAxis {
  field: string;
  label: string;
  kind: 'numeric' | 'categorical';
  role?: 'metric';
  min?: number | null;
  max?: number | null;
  log?: boolean;
  categories?: string[];
  missing?: number;
}

export interface IAnalysisRow {
  id: string;
  name: string;
  colour: string;
  status: string;
  values: Record<string, number | string | null>;
}

export interface IImportance {
  field: string;
  label: string;
  kind: 'numeric' | 'categorical';
  correlation: number | null;
  correlation_kind: 'spearman' | 'eta';
  importance: number | null;
}

export interface IAnalysis {
  metric: string;
  runs: number;
  used: number;
  missing_metric: number;
  params_left_out: number;
  axes: IAxis[];
  rows: IAnalysisRow[];
  importance: IImportance[];
  importance_method: string;
  /** One line: which param matters most for the metric, and whether the runs are enough to trust it. */
  summary?: string;
  /** Enough runs for the forest's importance (else the table ranks by correlation). */
  reliable?: boolean;
  scatter: { field: string; kind: string; x: (number | string | null)[]; y: number[] }[];
}

export interface IModelEntry {
  name: string;
  versions: number;
  latest: number | null;
  aliases: Record<string, number>;
  created_at: number;
}

export interface IAliasMove {
  name: string;
  alias: string;
  previous: number | null;
  version: number;
  moved_at: number;
  moved_iso: string;
  /** Who moved it (the Lab's user, or the CLI's login); null for moves recorded before it was kept. */
  moved_by?: string | null;
}

export interface IGate {
  passed: boolean | null;
  checked_at: number | null;
  checked_iso: string | null;
  baseline: string | null;
  baseline_run_id: string | null;
  results: { rule: string; status: string; detail: string; observed: unknown }[];
}

export interface IDataFacts {
  name: string;
  rows: number | null;
  columns: number | null;
  missing_share: number | null;
  fingerprint: string | null;
  rows_fingerprint: string | null;
}

export interface IAlert {
  rule: string | null;
  when: string | null;
  fired: boolean | null;
  fired_at: number | null;
  observed: unknown;
  actions: { kind?: string; ok?: boolean; summary?: string; run_id?: string; status?: string }[];
}

export interface IMonitoringRun {
  run_id: string;
  name: string | null;
  status: string | null;
  started_at: number | null;
  drift: { data: string; share: number | null; drifted_columns: string[]; compared: unknown;
    schema_changed: unknown }[];
  alerts: IAlert[];
}

export interface IVersionRun {
  id: string;
  name: string;
  status: string;
  experiment: string;
  params: Record<string, unknown>;
  metrics: Record<string, { last: number | null; min: number | null; max: number | null; step: number;
    count: number }>;
  metrics_left_out: number;
}

export interface IModelVersion {
  name: string;
  version: number;
  ref: string;
  run_id: string;
  artifact: string;
  created_at: number;
  created_iso: string;
  aliases: string[];
  run: IVersionRun | null;
  data: IDataFacts[];
  gates: IGate[];
  monitoring: IMonitoringRun[];
}

/** A run checked against the model (`nbtrack check RUN --baseline NAME@ALIAS`) that is no version of it. */
export interface ICandidate extends IGate {
  run_id: string;
  name: string | null;
  status: string | null;
}

export interface IModelLife {
  name: string;
  candidates?: ICandidate[];
  aliases: Record<string, { version: number; since: number; since_iso: string }>;
  history: IAliasMove[];
  versions: IModelVersion[];
}

export interface ILineage {
  ref: string;
  name: string;
  version: number;
  data: IDataFacts[];
  run: IVersionRun | null;
  gates: IGate[];
  aliases: string[];
  alias_moves: IAliasMove[];
  monitoring: IMonitoringRun[];
}
