// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function QueueScreen() {
  return <p className="empty">…</p>;
}
