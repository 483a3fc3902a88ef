// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function UsersSettings() {
  return <p className="empty">…</p>;
}
