// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function InboundScreen() {
  return <p className="empty">…</p>;
}
