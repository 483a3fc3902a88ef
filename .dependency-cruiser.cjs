// The dependency rule of DESIGN.md, checked on every `npm test`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'rules-are-pure',
      comment: 'A pure decision (src/<feature>/rules/) imports no I/O: only other rules, the schema types, zod, sanitize-html and libmime.',
      severity: 'error',
      from: { path: '^src/[^/]+/rules/' },
      to: { pathNot: ['^src/[^/]+/rules/', '^src/db/schema\\.ts$', 'node_modules/(zod|sanitize-html|libmime)/', '^crypto$'] },
    },
    {
      name: 'sql-only-in-stores',
      comment: 'SQL lives in *.store.ts and src/db/; elsewhere Kysely may be imported for its types only.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['\\.store\\.ts$', '^src/db/'] },
      to: { path: 'node_modules/kysely/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'database-drivers-only-in-db',
      comment: 'pg and PGlite are opened in src/db/ only; the rest of the code sees Kysely.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/db/' },
      to: { path: 'node_modules/(pg|@electric-sql/pglite|kysely-pglite-dialect)/' },
    },
    {
      name: 'entry-points-call-operations',
      comment: 'HTTP routes and CLI commands validate, call one operation and present: they never reach a store.',
      severity: 'error',
      from: { path: '^src/(http/|cli/|main\\.ts$)' },
      to: { path: '\\.store\\.ts$' },
    },
    {
      name: 'stores-are-leaves',
      comment: 'A store knows SQL and its rows, nothing of operations, HTTP or the CLI.',
      severity: 'error',
      from: { path: '\\.store\\.ts$' },
      to: { path: '^src/', pathNot: ['\\.store\\.ts$', '^src/db/', '/rules/', '^src/errors\\.ts$'] },
    },
    {
      name: 'features-do-not-import-entry-points',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(http/|cli/|main\\.ts$|app\\.ts$)'] },
      to: { path: '^src/(http/|cli/|main\\.ts$)' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
