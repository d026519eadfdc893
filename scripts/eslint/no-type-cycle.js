// A rule for the cycles import-x/no-cycle cannot see: that rule skips every type-only import
// (and has no option to follow them), yet a cycle of `import type` still ties modules together
// (issue 16 named one: app-env ↔ auth ↔ errors). This rule builds the static import graph of the
// TypeScript program ESLint already loaded for type-aware linting, type imports included, and
// reports a file that sits in a cycle only because of type-only edges (cycles of value imports are
// import-x/no-cycle's to report, so one cycle is not reported twice).
import ts from "typescript";

/** One graph per TypeScript program (ESLint lints every file of a project against the same one). @type {WeakMap<ts.Program, { cycles: Map<string, string[]> }>} */
const graphs = new WeakMap();

/**
 * The static imports of one file: `import`, `import type` and `export … from`, each with whether
 * it brings in only types. Dynamic `import()` is left out: it is how a module loads on demand.
 * @param {ts.SourceFile} file
 * @returns {{ specifier: string, typeOnly: boolean }[]}
 */
function staticImports(file) {
  const found = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      // `import { type A, type B }` brings in types only, like `import type { A, B }`.
      const typeOnly =
        clause !== undefined && (clause.isTypeOnly || (!clause.name && named !== undefined && named.length > 0 && named.every((n) => n.isTypeOnly)));
      found.push({ specifier: statement.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      const named = statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements : undefined;
      const typeOnly = statement.isTypeOnly || (named !== undefined && named.length > 0 && named.every((n) => n.isTypeOnly));
      found.push({ specifier: statement.moduleSpecifier.text, typeOnly });
    }
  }
  return found;
}

/**
 * Files that lie on a cycle of the graph (Tarjan's strongly connected components, iteratively:
 * the import chains are deep enough that recursion is no risk worth taking).
 * @param {Map<string, string[]>} edges
 * @returns {Map<string, string[]>} each file on a cycle → the members of its component
 */
function filesOnCycles(edges) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const result = new Map();
  let counter = 0;
  for (const start of edges.keys()) {
    if (index.has(start)) continue;
    const work = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = edges.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(target)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) for (const file of component) result.set(file, component);
      }
    }
  }
  return result;
}

/** @param {ts.Program} program */
function graphOf(program) {
  const cached = graphs.get(program);
  if (cached) return cached;
  const options = program.getCompilerOptions();
  const cache = ts.createModuleResolutionCache(program.getCurrentDirectory(), (name) => name, options);
  /** @type {Map<string, string[]>} */
  const allEdges = new Map();
  /** @type {Map<string, string[]>} */
  const valueEdges = new Map();
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || file.fileName.includes("/node_modules/")) continue;
    const all = [];
    const values = [];
    for (const { specifier, typeOnly } of staticImports(file)) {
      const resolved = ts.resolveModuleName(specifier, file.fileName, options, ts.sys, cache).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport || resolved.resolvedFileName.endsWith(".d.ts")) continue;
      all.push(resolved.resolvedFileName);
      if (!typeOnly) values.push(resolved.resolvedFileName);
    }
    allEdges.set(file.fileName, all);
    valueEdges.set(file.fileName, values);
  }
  const cycles = filesOnCycles(allEdges);
  const valueCycles = filesOnCycles(valueEdges);
  for (const file of valueCycles.keys()) cycles.delete(file);
  const graph = { cycles };
  graphs.set(program, graph);
  return graph;
}

/** @type {import("eslint").Rule.RuleModule} */
export const noTypeCycle = {
  meta: {
    type: "problem",
    docs: { description: "Forbid import cycles that run through type-only imports (import-x/no-cycle skips those)." },
    messages: { cycle: "Import cycle closed by a type-only import, through: {{files}}. Move the shared type down into a module they can all import." },
    schema: [],
  },
  create(context) {
    const services = context.sourceCode.parserServices;
    const program = services?.program;
    if (!program) return {};
    return {
      Program(node) {
        const file = program.getSourceFile(context.physicalFilename);
        if (!file) return;
        const component = graphOf(program).cycles.get(file.fileName);
        if (!component) return;
        const root = program.getCurrentDirectory() + "/";
        const files = component
          .map((member) => member.replace(root, ""))
          .sort()
          .join(", ");
        context.report({ node, messageId: "cycle", data: { files } });
      },
    };
  },
};

export default { rules: { "no-type-cycle": noTypeCycle } };
