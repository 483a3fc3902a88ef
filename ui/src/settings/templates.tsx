// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function TemplatesSettings() {
  return <p className="empty">…</p>;
}
