// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function AliasesSettings() {
  return <p className="empty">…</p>;
}
