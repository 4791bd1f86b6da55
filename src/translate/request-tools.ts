// The tool list of a chat request (protocol.md §6.4): Anthropic tools → OpenAI functions, with
// the translation remembered per distinct list (its JSON: request-json.ts). Pure.
import { deepFreeze } from "./deep-freeze.ts";
import { FrozenMemo } from "./frozen-memo.ts";
import type { ToolParam } from "../protocol/anthropic.ts";
import type { ChatTool } from "../protocol/openai.ts";
import { cleanToolSchema } from "./json-schema.ts";
import type { TranslateProfile } from "./profile.ts";
import { toBackendToolName } from "./tool-names.ts";

const SERVER_TOOL_TYPE = /^(web_search|web_fetch|code_execution|tool_search_tool)/;

/**
 * Claude Code resends the same tool list (~30 KB of schemas) on every turn. Translated lists are
 * memoised per list object (the validator hands out the same frozen list for an unchanged one)
 * and per schema profile, the only profile field tool translation reads.
 */
interface TranslatedTools {
  tools: readonly ChatTool[];
  notes: readonly string[];
}
const translatedTools = new FrozenMemo<TranslatedTools>();

export function convertToolsCached(tools: readonly ToolParam[], profile: TranslateProfile, notes: string[]): readonly ChatTool[] {
  // Only lists the caller promises not to change (frozen) are safe to remember by identity.
  if (!Object.isFrozen(tools)) return convertTools(tools, profile, notes);
  const hit = translatedTools.get(tools, profile.schemaProfile, () => {
    const own: string[] = [];
    return { tools: deepFreeze(convertTools(tools, profile, own)), notes: own };
  });
  notes.push(...hit.notes);
  return hit.tools;
}

function convertTools(tools: readonly ToolParam[], profile: TranslateProfile, notes: string[]): ChatTool[] {
  const out: ChatTool[] = [];
  for (const t of tools) {
    if (t.type && SERVER_TOOL_TYPE.test(t.type)) {
      notes.push(`removed server tool ${t.name} (${t.type}): backends cannot run it`);
      continue;
    }
    if (!t.input_schema) {
      notes.push(`removed tool ${t.name}: no input_schema`);
      continue;
    }
    out.push({
      type: "function",
      function: {
        name: toBackendToolName(t.name),
        ...(t.description ? { description: t.description } : {}),
        parameters: cleanToolSchema(t.input_schema, profile.schemaProfile),
      },
    });
  }
  return out;
}
