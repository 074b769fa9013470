/**
 * Docs on hover: every field a caller of the component package writes has TSDoc with a description, and every
 * optional one an `@default` (its value, or `@default - <what happens>`). Read from the source with the
 * TypeScript compiler API: the public arguments of every part (the `...Args` exported by the package), every
 * type they refer to, and every generated settings type (schema/types.ts).
 */
import * as assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const REPO = path.join(__dirname, "../..");
const SOURCES = ["components", "components/cloud", "schema"].map((dir) => path.join(REPO, dir));
const ENTRY = path.join(REPO, "components/index.ts");
const GENERATED = path.join(REPO, "schema/types.ts");

/** Type operators whose later arguments are patterns, not fields a caller writes (`Exclude<T, { type: "volume" }>`). */
const PATTERN_ARGUMENTS = new Set(["Exclude", "Extract", "Omit", "Pick"]);

/** The problems of undocumented fields, as `Type.field.path: what is missing`, and the types read. */
function undocumentedFields(): { problems: string[]; checked: string[] } {
  const files = SOURCES.flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".ts"))
      .map((file) => path.join(dir, file)),
  );
  // Only our own files: the checker resolves the names between them, nothing of node_modules is read.
  const program = ts.createProgram(files, { noResolve: true, noLib: true, types: [] });
  const checker = program.getTypeChecker();
  const ours = (declaration: ts.Declaration) => SOURCES.includes(path.dirname(declaration.getSourceFile().fileName));
  const declarationsOf = (symbol: ts.Symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return (target.declarations ?? []).filter(
      (d): d is ts.InterfaceDeclaration | ts.TypeAliasDeclaration =>
        (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) && ours(d),
    );
  };

  const queue: (ts.InterfaceDeclaration | ts.TypeAliasDeclaration)[] = [];
  const seen = new Set<ts.Node>();
  const enqueue = (declarations: readonly (ts.InterfaceDeclaration | ts.TypeAliasDeclaration)[]) => {
    for (const declaration of declarations) {
      if (seen.has(declaration)) continue;
      seen.add(declaration);
      queue.push(declaration);
    }
  };
  const entry = checker.getSymbolAtLocation(program.getSourceFile(ENTRY)!)!;
  for (const symbol of checker.getExportsOfModule(entry)) if (symbol.name.endsWith("Args")) enqueue(declarationsOf(symbol));
  const generated = program.getSourceFile(GENERATED)!;
  enqueue(generated.statements.filter((s) => ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)));

  const problems: string[] = [];
  const visit = (type: string, node: ts.Node, prefix: string): void => {
    if (ts.isPropertySignature(node)) {
      const field = `${type}.${prefix}${node.name.getText()}`;
      const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
      const description = docs
        .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "")
        .join("")
        .trim();
      if (description === "") problems.push(`${field}: no description`);
      if (node.questionToken && !ts.getJSDocTags(node).some((tag) => tag.tagName.text === "default")) {
        problems.push(`${field}: optional, without @default`);
      }
      if (node.type) visit(type, node.type, `${prefix}${node.name.getText()}.`);
      return;
    }
    if (ts.isTypeReferenceNode(node)) {
      const symbol = checker.getSymbolAtLocation(node.typeName);
      if (symbol) enqueue(declarationsOf(symbol));
      const patterns = PATTERN_ARGUMENTS.has(node.typeName.getText());
      (node.typeArguments ?? []).forEach((argument, index) => {
        if (index === 0 || !patterns) visit(type, argument, prefix);
      });
      return;
    }
    ts.forEachChild(node, (child) => visit(type, child, prefix));
  };
  const checked: string[] = [];
  for (let declaration = queue.shift(); declaration; declaration = queue.shift()) {
    checked.push(declaration.name.text);
    if (ts.isInterfaceDeclaration(declaration)) {
      for (const heritage of declaration.heritageClauses ?? []) heritage.types.forEach((t) => visit(declaration.name.text, t, ""));
      declaration.members.forEach((member) => visit(declaration.name.text, member, ""));
    } else {
      visit(declaration.name.text, declaration.type, "");
    }
  }
  return { problems, checked };
}

describe("the published declarations", () => {
  it("document every field of every part's arguments and of every settings type, with an @default on every optional one", function () {
    this.timeout(30_000);
    const { problems, checked } = undocumentedFields();
    for (const name of [
      "AppStackArgs",
      "PostgresArgs",
      "NetworkPoliciesArgs",
      "AwsIntegrationArgs",
      "StackInputFields",
      "PostgresInput",
      "AppWiring",
    ]) {
      assert.ok(checked.includes(name), `${name} is checked (checked: ${checked.join(", ")})`);
    }
    assert.deepEqual(problems, []);
  });
});
