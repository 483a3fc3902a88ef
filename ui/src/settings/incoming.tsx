// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function IncomingSettings() {
  return <p className="empty">…</p>;
}
