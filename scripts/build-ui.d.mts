// Types of build-ui.mjs, for the TypeScript that imports it (bench, tests).
export function buildUi(options?: { force?: boolean }): Promise<void>;
