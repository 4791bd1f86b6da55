// Request validation with valibot: a clear 400 that names the field, unknown fields tolerated.
import * as v from "valibot";
import { KNOWN_REQUEST_FIELDS } from "../protocol/anthropic.ts";
import { describeIssue } from "../protocol/issues.ts";
import { anthropicError } from "./errors.ts";

/**
 * JSON.parse takes any depth, but JSON.stringify (counting, the upstream body, traces) overflows the
 * stack somewhere past 4000 levels on Node and 30000 on Bun: a 500 deep in the pipeline. Real
 * requests (tool inputs, MCP schemas) nest a few dozen levels; refuse far deeper ones up front.
 */
export const MAX_JSON_DEPTH = 1000;

export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") throw anthropicError("invalid_request_error", "request body is empty; expected a JSON object");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw anthropicError("invalid_request_error", `request body is not valid JSON: ${(e as Error).message}`);
  }
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) throw anthropicError("invalid_request_error", `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  return parsed;
}

/** Whether valid JSON text nests arrays/objects deeper than `limit`: one linear pass, strings skipped. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = stringEnd(text, i);
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** `messagesOffset`: how many messages before the second one the checked body leaves out (the error names the body's own). */
export function validate<S extends v.GenericSchema>(schema: S, body: unknown, messagesOffset = 0): v.InferOutput<S> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw anthropicError("invalid_request_error", "request body must be a JSON object");
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const { path, message } = describeIssue(result.issues[0]);
  if (messagesOffset && path[0] === "messages" && /^[1-9]\d*$/.test(path[1] ?? "")) path[1] = String(Number(path[1]) + messagesOffset);
  throw anthropicError("invalid_request_error", `${path.join(".") || "body"}: ${message}`);
}

/** Claude Code adds fields every release; they are ignored, and worth a debug line. */
export function unknownFields(body: object): string[] {
  return Object.keys(body).filter((k) => !KNOWN_REQUEST_FIELDS.includes(k));
}

/** The index of the quote closing the string opened at `start` (an odd run of backslashes escapes a quote). */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    if (end < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}
