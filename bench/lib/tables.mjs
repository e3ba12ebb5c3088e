// Table renderers shared by the benchmarks' reports.

/** A plain-text table with padded columns, for the terminal. */
export function textTable(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  return [format(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...lines.map(format)].join('\n');
}

/** A Markdown table; pipes inside cells are escaped. */
export function markdownTable(header, lines) {
  const escape = (cell) => cell.replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...lines.map((l) => `| ${l.map(escape).join(' | ')} |`),
  ].join('\n');
}
