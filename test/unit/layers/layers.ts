/**
 * The layer rules, as data and pure checks: schema -> components -> index.ts (the program) -> automation,
 * never an import upward; inside automation, the order of the parts table in automation/README.md
 * (a part imports only from its own row and the rows above it); and no `@internal` declaration
 * (stripped from the published types) imported across a layer.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/** The repository root. */
export const REPO = path.resolve(__dirname, "../../..");

/** The top-level layers, lowest first. */
export const LAYERS = ["schema", "components", "index.ts", "automation"] as const;

/** One import of a source file: both ends relative to the repository root, and the names it takes. */
export interface Import {
  readonly from: string;
  readonly to: string;
  /** The imported names (`default` and `*` included); empty for a side-effect import. */
  readonly names: readonly string[];
}

/** The layer of a repository file (its index in {@link LAYERS}), or undefined outside the layers (tools, tests). */
export function layerOf(file: string): number | undefined {
  const top = file.split("/")[0];
  const index = (LAYERS as readonly string[]).indexOf(top);
  return index === -1 ? undefined : index;
}

/** The automation part a file of `automation/` belongs to: `driver.ts` or `fleet/`. */
export function partOf(file: string): string {
  const [, first, second] = file.split("/");
  return second === undefined ? first : `${first}/`;
}

/**
 * The parts of the automation README's "Parts" table, by row (top row 0): each backticked name of a
 * row's first cell (`driver.ts`, `fleet/`) maps to its row.
 */
export function partsTable(readme: string): Map<string, number> {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Parts\n")) ?? "";
  const rows = section.split("\n").filter((line) => line.startsWith("|") && !/^\|\s*(file|-+)\s*\|/.test(line));
  const parts = new Map<string, number>();
  rows.forEach((row, index) => {
    for (const [, name] of row.split("|")[1].matchAll(/`([^`]+)`/g)) parts.set(name, index);
  });
  return parts;
}

/** The automation parts missing from the table: each file and folder directly under `automation/`. */
export function unlistedParts(entries: readonly { name: string; isDirectory: boolean }[], parts: ReadonlyMap<string, number>): string[] {
  return entries
    .filter((entry) => entry.isDirectory || entry.name.endsWith(".ts"))
    .map((entry) => (entry.isDirectory ? `${entry.name}/` : entry.name))
    .filter((name) => !parts.has(name))
    .sort();
}

/** Each import that points up a layer, or up the automation parts table, as a sentence. */
export function upwardImports(imports: readonly Import[], parts: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  for (const { from, to } of imports) {
    const [source, target] = [layerOf(from), layerOf(to)];
    if (source === undefined || target === undefined) continue;
    if (target > source) {
      problems.push(`${from} imports ${to}: ${LAYERS[source]} may not import ${LAYERS[target]}, a layer above it`);
    } else if (LAYERS[source] === "automation" && LAYERS[target] === "automation" && partOf(from) !== partOf(to)) {
      const [mine, theirs] = [parts.get(partOf(from)), parts.get(partOf(to))];
      if (mine === undefined || theirs === undefined) {
        problems.push(
          `${from} imports ${to}: ${mine === undefined ? partOf(from) : partOf(to)} is not in automation/README.md's parts table`,
        );
      } else if (theirs > mine) {
        problems.push(
          `${from} imports ${to}: ${partOf(from)} (parts row ${mine + 1}) may not import ${partOf(to)} (row ${theirs + 1}), below it in the table`,
        );
      }
    }
  }
  return problems;
}

/** Each import across top-level layers of a declaration marked `@internal` (in `internals`: file -> names). */
export function internalsAcrossLayers(imports: readonly Import[], internals: (file: string) => ReadonlySet<string>): string[] {
  return imports
    .filter(({ from, to }) => layerOf(from) !== undefined && layerOf(to) !== undefined && layerOf(from) !== layerOf(to))
    .flatMap(({ from, to, names }) =>
      names
        .filter((name) => internals(to).has(name))
        .map((name) => `${from} imports ${name} from ${to}, which is @internal (stripped from the published types)`),
    );
}

/** The TypeScript files of the layers, relative to the repository root. */
export function layerFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(`${dir}/${entry.name}`) : entry.name.endsWith(".ts") ? [`${dir}/${entry.name}`] : [],
    );
  return ["index.ts", ...walk("schema"), ...walk("components"), ...walk("automation")];
}

/** The file a relative module specifier resolves to (`.ts`, or a folder's `index.ts`), relative to the root. */
function resolve(from: string, specifier: string): string {
  const base = path.join(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => existsSync(path.join(REPO, candidate))) ?? base;
}

/** The relative imports of a file: `import`, `export ... from`, `import()` and `require()`. */
export function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(REPO, file), "utf8"), ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  const add = (specifier: string, names: string[]) => {
    if (specifier.startsWith(".")) found.push({ from: file, to: resolve(file, specifier), names });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const names = [
        ...(clause?.name ? ["default"] : []),
        ...(bindings && ts.isNamedImports(bindings) ? bindings.elements.map((e) => (e.propertyName ?? e.name).text) : []),
        ...(bindings && ts.isNamespaceImport(bindings) ? ["*"] : []),
      ];
      add(node.moduleSpecifier.text, names);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      add(
        node.moduleSpecifier.text,
        clause && ts.isNamedExports(clause) ? clause.elements.map((e) => (e.propertyName ?? e.name).text) : ["*"],
      );
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      add(node.arguments[0].text, ["*"]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The names a file declares with an `@internal` TSDoc tag. */
export function internalNames(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(path.join(REPO, file), "utf8");
  } catch {
    return new Set();
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.getJSDocTags(statement).some((tag) => tag.tagName.text === "internal")) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
    } else if ("name" in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) {
      names.add((statement.name as ts.Identifier).text);
    }
  }
  return names;
}

/**
 * The names a file exposes that are declared `@internal`: its own, and those it re-exports
 * (`export * from`, `export { name } from`), followed through every entry point to the declaring file.
 */
export function internalNamesReexported(file: string): Set<string> {
  const known = reexported.get(file);
  if (known) return known;
  const names = internalNames(file);
  reexported.set(file, names); // a cycle of re-exports ends here
  if (!existsSync(path.join(REPO, file))) return names;
  const source = ts.createSourceFile(file, readFileSync(path.join(REPO, file), "utf8"), ts.ScriptTarget.ES2022, true);
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.exportClause;
    const inner = internalNamesReexported(resolve(file, statement.moduleSpecifier.text));
    if (!clause) for (const name of inner) names.add(name);
    else if (ts.isNamedExports(clause))
      for (const element of clause.elements) if (inner.has((element.propertyName ?? element.name).text)) names.add(element.name.text);
  }
  return names;
}

/** {@link internalNamesReexported}'s answers, by file (the files do not change during a run). */
const reexported = new Map<string, Set<string>>();
