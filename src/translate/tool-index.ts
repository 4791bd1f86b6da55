// Builds the ToolIndex the stream translator uses to unmap names and find schemas for repair.
import type { ToolParam } from "../protocol/anthropic.ts";
import type { ToolIndex } from "./stream.ts";
import { FrozenMemo } from "./frozen-memo.ts";
import { makeToolNameResolver } from "./tool-names.ts";

/**
 * An index only reads its list, so one per frozen list (the validator hands out the same frozen
 * list while Claude Code resends it) serves every request: ~20 names hashed and normalised once,
 * not per request.
 */
const indexes = new FrozenMemo<ToolIndex>();

export function makeToolIndex(tools: readonly ToolParam[] | null | undefined): ToolIndex {
  return indexes.get(tools, undefined, () => buildToolIndex(tools ?? []));
}

function buildToolIndex(list: readonly ToolParam[]): ToolIndex {
  const schemas = new Map(list.map((t) => [t.name, t.input_schema]));
  return { resolve: makeToolNameResolver(list.map((t) => t.name)), schemaOf: (name) => schemas.get(name) };
}
