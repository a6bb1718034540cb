// Times for people: how long ago, how long left.

export function ago(iso: string, now: number): string {
  return `${span(now - Date.parse(iso))} ago`;
}

export function left(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  return ms <= 0 ? "expired" : `expires in ${span(ms)}`;
}

function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export const clock = (iso: string) => new Date(iso).toLocaleString();
