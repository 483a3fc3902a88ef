import { sql, type RawBuilder } from 'kysely';

/**
 * `column = any($1::bigint[])`: a list of ids travels as one parameter, whatever its length.
 * An `IN ($1, $2, …)` list would need one parameter per id, and past 32,767 parameters a
 * statement fails (on PGlite 0.4 it even fails silently and leaves the connection unusable).
 */
export function anyId(ids: readonly number[]): RawBuilder<number> {
  return sql<number>`any(${[...ids]}::bigint[])`;
}
