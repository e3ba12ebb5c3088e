/**
 * An inline SVG bar chart of downloads per day over the last `days` days (UTC), ending today.
 * Days without downloads are zero bars.
 */
export function DownloadChart({ daily, today, days = 90 }: { daily: ReadonlyArray<{ day: string; count: number }>; today: Date; days?: number }) {
  const counts = new Map(daily.map((d) => [d.day, d.count]));
  const series: Array<{ day: string; count: number }> = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(today.getTime() - i * 86_400_000).toISOString().slice(0, 10);
    series.push({ day, count: counts.get(day) ?? 0 });
  }
  const max = Math.max(1, ...series.map((s) => s.count));
  const width = 3;
  const height = 40;
  const total = series.reduce((n, s) => n + s.count, 0);
  return (
    <svg class="chart" role="img" aria-label={`${total} downloads in the last ${days} days`} viewBox={`0 0 ${days * width} ${height}`} width={days * width} height={height}>
      {series.map((s, i) => {
        const h = Math.round((s.count / max) * height);
        return <rect x={i * width} y={height - h} width={width - 1} height={h}><title>{`${s.day}: ${s.count}`}</title></rect>;
      })}
    </svg>
  );
}
