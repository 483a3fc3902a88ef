// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function CatcherScreen() {
  return <p className="empty">…</p>;
}
