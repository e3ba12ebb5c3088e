/** Bytes as a person reads them: 512 B, 3.4 KB, 12.0 MB, 1.25 GB. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** A count with thousands separators: 1,234,567. */
export function countText(count: number): string {
  return count.toLocaleString('en-US');
}

/** The day of an ISO timestamp: 2026-12-03. */
export function dayText(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** A timestamp to the minute, in UTC: 2026-12-03 14:05 UTC. */
export function timeText(timestamp: string): string {
  return `${timestamp.slice(0, 10)} ${timestamp.slice(11, 16)} UTC`;
}
