// PostgreSQL's SQLSTATE codes (the same on PGlite), for the few errors an operation turns into its own.
const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}
