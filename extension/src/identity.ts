/** How runs shown together are told apart: name, short id and colour, one rule for every header and chart. */

import { h } from './dom';
import { paletteColour, shortIds } from './format';

export interface IRunIdentity {
  id: string;
  name: string;
  short: string;
  colour: string;
  /** "name · short id", or the short id alone when the run has no name. */
  label: string;
}

/** Identities of the runs a view shows together: short ids unique among them, each run's own colour. */
export function identities(runs: { id: string; name?: string | null; colour?: string }[]): Map<string, IRunIdentity> {
  const ids = runs.map(r => r.id);
  const shorts = shortIds(ids);
  const colours = new Map(runs.map(r => [r.id, r.colour || paletteColour(0)]));
  return new Map(runs.map(r => {
    const short = shorts.get(r.id) ?? r.id;
    const name = (r.name ?? '').trim();
    return [r.id, { id: r.id, name, short, colour: colours.get(r.id) ?? '#888', label: name ? `${name} · ${short}` : short }];
  }));
}

/** A run's colour swatch, its name and its short id, as text nodes. */
export function runHead(run: IRunIdentity): HTMLElement {
  const swatch = h('span', { class: 'nbtrack-swatch', attrs: { 'aria-hidden': 'true' } });
  swatch.style.background = run.colour;
  return h('span', { class: 'nbtrack-run-head', title: run.id, attrs: { 'data-run-id': run.id } },
    swatch,
    run.name ? h('span', { class: 'nbtrack-run-head-name' }, run.name) : null,
    h('span', { class: 'nbtrack-short-id' }, run.short));
}

/** What an execution's entry and tab are titled: its run's name and short id, the notebook until the run exists. */
export function executionLabel(e: { notebook: string; run_id: string; run: { name?: string | null } | null },
                               short: string): string {
  const name = (e.run?.name ?? '').trim();
  return e.run_id ? (name ? `${name} · ${short}` : `${e.notebook} · ${short}`) : e.notebook;
}
