// Builds the ToolIndex the stream translator uses to unmap names and find schemas for repair.
import type { ToolParam } from "../protocol/anthropic.ts";
import type { ToolIndex } from "./stream.ts";
import { makeToolNameResolver } from "./tool-names.ts";

export function makeToolIndex(tools: readonly ToolParam[] | null | undefined): ToolIndex {
  const list = tools ?? [];
  const schemas = new Map(list.map((t) => [t.name, t.input_schema]));
  return { resolve: makeToolNameResolver(list.map((t) => t.name)), schemaOf: (name) => schemas.get(name) };
}
