/** Which runs a chart or analysis panel covers: ids, a filter, or both, as one `where` for the server. */

/** A text literal of the filter language. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `id in ('a', 'b')`, and-ed with a filter when there is one; '' selects every run. */
export function selectionWhere(ids: string[] | undefined, where: string | undefined): string {
  const clauses: string[] = [];
  if (where && where.trim()) {
    clauses.push(`(${where.trim()})`);
  }
  if (ids && ids.length) {
    clauses.push(`id in (${ids.map(literal).join(', ')})`);
  }
  return clauses.length === 1 && !(ids && ids.length) ? where!.trim() : clauses.join(' and ');
}

/** A metric field's series key: `metrics.train.loss` -> `train.loss`; null for min/max parts and non-metrics. */
export function seriesKey(field: { field: string; kind: string; label: string }): string | null {
  if (field.kind !== 'metric') {
    return null;
  }
  const plain = `metrics.${field.label}`;
  if (field.field === plain || field.field === `metrics.\`${field.label}\``) {
    return field.label;
  }
  return / (min|max)$/.test(field.label) ? null : field.label;
}
