// Turns a valibot issue into "a.b.c" + message. A union (string | blocks[]) reports "invalid type"
// at its top; the useful issue is the deepest one inside it, whose path is relative to the union.
import type * as v from "valibot";

export interface IssueReport {
  path: string[];
  message: string;
  expected: string | null;
  received: string;
  /** valibot's issue type: "string", "regex", "check", ... */
  type: string;
}

export function describeIssue(issue: v.GenericIssue): IssueReport {
  const here = (issue.path ?? []).map((p) => String(p.key));
  let best: IssueReport = { path: here, message: issue.message, expected: issue.expected, received: issue.received, type: issue.type };
  for (const sub of issue.issues ?? []) {
    const inner = describeIssue(sub);
    if (inner.path.length > 0 && here.length + inner.path.length > best.path.length)
      best = { ...inner, path: [...here, ...inner.path] };
  }
  return best;
}
