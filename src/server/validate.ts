// Request validation with valibot: a clear 400 that names the field, unknown fields tolerated.
import * as v from "valibot";
import { KNOWN_REQUEST_FIELDS } from "../protocol/anthropic.ts";
import { describeIssue } from "../protocol/issues.ts";
import { anthropicError } from "./errors.ts";

export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") throw anthropicError("invalid_request_error", "request body is empty; expected a JSON object");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw anthropicError("invalid_request_error", `request body is not valid JSON: ${(e as Error).message}`);
  }
}

export function validate<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw anthropicError("invalid_request_error", "request body must be a JSON object");
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const { path, message } = describeIssue(result.issues[0]);
  throw anthropicError("invalid_request_error", `${path.join(".") || "body"}: ${message}`);
}

/** Claude Code adds fields every release; they are ignored, and worth a debug line. */
export function unknownFields(body: object): string[] {
  return Object.keys(body).filter((k) => !KNOWN_REQUEST_FIELDS.includes(k));
}
