import { use, type Script, type Step } from "./script.js";

export interface LineagePrimitives {
  /** The cube's archived memories that any of these memories replaced (one version back). */
  replacedBy(cubeId: string, memoryIds: readonly string[]): Step<string[]>;
}

/**
 * The memories with the archived versions they replaced, transitively: a deleted memory takes its
 * history with it (an earlier version says much the same thing, so forgetting must reach it too).
 * The given ids come first.
 */
export function* withEarlierVersions(tx: LineagePrimitives, cubeId: string, memoryIds: readonly string[]): Script<string[]> {
  const all = new Set(memoryIds);
  let generation = [...all];
  while (generation.length > 0) {
    const earlier = yield* use(tx.replacedBy(cubeId, generation));
    generation = [...new Set(earlier)].filter((id) => !all.has(id));
    for (const id of generation) all.add(id);
  }
  return [...all];
}
