/** Rows as aligned columns under a header, for people; `--json` output is for scripts. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** `2026-12-07 09:41` in UTC, or `never`. */
export function formatTime(date: Date | string | null): string {
  if (date === null) return 'never';
  return new Date(date).toISOString().slice(0, 16).replace('T', ' ');
}
