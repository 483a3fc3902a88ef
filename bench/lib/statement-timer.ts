// Where a post's time goes, measured on the real postMessage: a Kysely plugin sees every statement
// before it is compiled and its result after the rows are parsed, so no instrumented copy is needed.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

export interface StatementTiming {
  /** The product function that issued the statement, e.g. `subscribedAddressees (chatter/followers.store.ts:104)`. */
  caller: string;
  start: number;
  end: number;
}

/** The first stack frame in src/ outside src/db/: the store function that owns the statement. */
function callerOf(stack: string | undefined): string {
  for (const line of (stack ?? '').split('\n')) {
    const match = /at (?:async )?(\S+) \(.*\/src\/((?!db\/)[^)]+?):(\d+):\d+\)/.exec(line);
    if (match) return `${match[1]} (${match[2]}:${match[3]})`;
  }
  return 'unknown';
}

export class StatementTimer implements KyselyPlugin {
  readonly timings: StatementTiming[] = [];
  readonly #pending = new WeakMap<object, { caller: string; start: number }>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#pending.set(args.queryId, { caller: callerOf(new Error().stack), start: performance.now() });
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const pending = this.#pending.get(args.queryId);
    if (pending) this.timings.push({ ...pending, end: performance.now() });
    return args.result;
  }
}
