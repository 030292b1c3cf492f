/** The server JSON of the runs table, its key catalogue, groups, saved views and bulk actions (names as sent). */
import type { IField } from './types';

export type Archived = 'hide' | 'include' | 'only';
export type FieldKind = IField['kind'];

/** One row of GET /runs/table: the run's identity and the values of the columns asked for. */
export interface ITableRow {
  id: string;
  name: string;
  /** The run's own colour (the server's: the palette entry of its row number). */
  colour: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  duration: number | null;
  archived: boolean;
  note_excerpt: string;
  values: Record<string, unknown>;
}

export interface ITablePage {
  total: number;
  offset: number;
  limit: number;
  columns: string[];
  rows: ITableRow[];
}

// A field ready to use in where, order, columns and group: one definition, in types.ts.
export type { IField, IFields } from './types';

export interface IGroupStats {
  mean: number | null;
  std: number | null;
  count: number;
}

export interface IGroup {
  value: unknown;
  count: number;
  /** Selects exactly this group's runs (filter, experiment and value); null when the value has no literal. */
  where: string | null;
  stats: Record<string, IGroupStats>;
}

export interface IGroups {
  group: string;
  groups: IGroup[];
  truncated?: boolean;
}

/** What a saved view restores; PUT /views/<name> takes it without name and updated_at. */
export interface IViewState {
  where: string;
  experiment: string;
  columns: string[];
  order: string[];
  group: string;
  archived: Archived;
}

/** How the table lays its columns out: pinned to the left, and the widths the user dragged. */
export interface IViewLayout {
  pinned: string[];
  widths: Record<string, number>;
}

export interface ISavedView extends IViewState, Partial<IViewLayout> {
  name: string;
  updated_at: string | number | null;
}

export interface IActionResult {
  done: string[];
  refused: { id: string; reason: string }[];
}
