// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function SubtypesSettings() {
  return <p className="empty">…</p>;
}
