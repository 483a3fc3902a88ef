// PLACEHOLDER — being written (issue 6); replaced before this lands.
export function CompaniesSettings() {
  return <p className="empty">…</p>;
}
