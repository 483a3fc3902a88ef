// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function SweegoSettings() {
  return <p className="empty">…</p>;
}
