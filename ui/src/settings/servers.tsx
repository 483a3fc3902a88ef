// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function ServersSettings() {
  return <p className="empty">…</p>;
}
