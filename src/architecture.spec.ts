import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The structure rules of docs/architecture.md, checked on the source so they cannot drift. */
const SRC = __dirname;

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) ? [path] : [];
  });
}

const files = sourceFiles();
const rel = (path: string) => relative(SRC, path);
const folderOf = (path: string) => rel(path).split('/')[0];

/** Relative imports of a file, resolved to paths under src (without extension). */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((match) => resolve(dirname(path), match[1]));
}

describe('architecture', () => {
  it('keeps every statement on the recipient tables in the recipients module', () => {
    const outside = files.filter(
      (path) =>
        folderOf(path) !== 'recipients' &&
        /campaign_recipients|campaign_runs|recipient_status_events/.test(readFileSync(path, 'utf8')),
    );
    expect(outside.map(rel)).toEqual([]);
  });

  it('has no TypeORM repositories, entities or DataSource queries outside stores and the database module', () => {
    const offenders = files.filter((path) => {
      if (folderOf(path) === 'database' || path.endsWith('.store.ts')) return false;
      const text = readFileSync(path, 'utf8');
      return /@InjectRepository|getRepository\(|@Entity\(|@InjectDataSource|dataSource\.query\(/.test(text);
    });
    expect(offenders.map(rel)).toEqual([]);
  });

  it('lets no domain module import the CLI, and looks nothing up by name', () => {
    const domains = [
      'contacts',
      'campaigns',
      'dispatch',
      'delivery',
      'reports',
      'recipients',
      'clients',
      'chat2desk',
    ];
    const cliImports = files.filter(
      (path) =>
        domains.includes(folderOf(path)) && importsOf(path).some((target) => rel(target).startsWith('cli/')),
    );
    expect(cliImports.map(rel)).toEqual([]);
    expect(files.filter((path) => /strict:\s*false/.test(readFileSync(path, 'utf8'))).map(rel)).toEqual([]);
  });

  it('writes every CSV through the one safe writer (BOM, formula-like cells neutralized)', () => {
    const writers = files.filter((path) => /from 'csv-stringify/.test(readFileSync(path, 'utf8')));
    expect(writers.map(rel)).toEqual(['common/csv/safe-csv.ts']);
  });

  it('validates integers as safe integers (@IsSafeInt), never with @IsInt (it takes 1e20)', () => {
    const offenders = files.filter((path) => /@IsInt\(/.test(readFileSync(path, 'utf8')));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('has one global module and no module that imports one importing it back', () => {
    const globals = files.filter((path) => /@Global\(\)/.test(readFileSync(path, 'utf8')));
    expect(globals.map(rel)).toEqual(['common/core.module.ts']);

    const modules = files.filter((path) => path.endsWith('.module.ts'));
    const edges = new Map(
      modules.map((path) => [
        path.replace(/\.ts$/, ''),
        importsOf(path).filter((target) => target.endsWith('.module')),
      ]),
    );
    const cycle = findCycle(edges);
    expect(cycle?.map((path) => rel(path))).toBeUndefined();
  });
});

function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    if (state.get(node) === 'visiting') return [...path, node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'visiting');
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}
