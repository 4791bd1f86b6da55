// The server registry and the pure choices made from what servers report.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createConsola, type LogObject } from "consola";
import { preferredModel } from "../../src/backends/choose-model.ts";
import { followLoadedModel, type LoadedModel } from "../../src/backends/loaded-model.ts";
import { describeLocalServers, SERVERS } from "../../src/backends/servers.ts";
import type { ModelInfo } from "../../src/backends/types.ts";
import { resolveConfig } from "../../src/config/load.ts";
import { MODES } from "../../src/config/schema.ts";

test("config defaults come from the registry, for every mode", () => {
  const config = resolveConfig({ cwd: "/p", home: "/h", env: {}, flags: {}, platform: "linux", arch: "x64", readFile: () => undefined });
  for (const m of MODES) {
    expect(config.backends[m].baseUrl).toBe(SERVERS[m].baseUrl);
    expect(config.backends[m].model).toBe(SERVERS[m].defaultModel as never);
  }
});

test("the README names the probed servers and ports as the registry does", () => {
  expect(describeLocalServers()).toBe("LM Studio 1234, Ollama 11434, llama.cpp 8080, vLLM 8000");
  expect(readFileSync(join(import.meta.dir, "../../README.md"), "utf8")).toContain(describeLocalServers());
});

const m = (id: string, more: Partial<ModelInfo> = {}): ModelInfo => ({ id, ...more });
const picks: [string, ModelInfo[], string | undefined][] = [
  ["the loaded one over the first listed", [m("a"), m("b", { loaded: true })], "b"],
  ["never an embedding model, even loaded", [m("embed", { kind: "embeddings", loaded: true }), m("llm", { kind: "llm", loaded: true })], "llm"],
  ["never one that is only downloaded", [m("a", { loaded: false }), m("b", { loaded: false })], undefined],
  ["the first listed when the server does not say (Ollama loads on demand)", [m("a"), m("b")], "a"],
  ["nothing from an empty list", [], undefined],
];
for (const [name, models, want] of picks) test(`preferredModel: ${name}`, () => expect(preferredModel(models)?.id).toBe(want as never));

function follower(answers: (LoadedModel | undefined | Error)[], initial?: LoadedModel) {
  let clock = 0;
  let calls = 0;
  const lines: string[] = [];
  const logger = createConsola({ level: 5, reporters: [{ log: (o: LogObject) => void lines.push(`${o.type}: ${o.args.join(" ")}`) }] });
  const current = followLoadedModel({
    label: "LM Studio",
    logger,
    ttlMs: 3000,
    now: () => clock,
    ...(initial ? { initial } : {}),
    lookup: async () => {
      const a = answers[calls++];
      if (a instanceof Error) throw a;
      return a;
    },
  });
  return { current, lines, calls: () => calls, advance: (ms: number) => void (clock += ms) };
}

test("followLoadedModel: one lookup per interval, shared by concurrent requests", async () => {
  const f = follower([{ id: "b" }], { id: "a" });
  expect(await f.current()).toEqual({ id: "a" }); // the start-up answer is fresh
  expect(f.calls()).toBe(0);
  f.advance(3000);
  const both = await Promise.all([f.current(), f.current()]);
  expect(both).toEqual([{ id: "b" }, { id: "b" }]);
  expect(f.calls()).toBe(1);
  expect(f.lines).toEqual(["info: LM Studio has b loaded; requests now go to it"]);
  f.advance(1000);
  expect(await f.current()).toEqual({ id: "b" });
  expect(f.calls()).toBe(1);
});

test("followLoadedModel: a failed lookup or an unloaded server keeps the last model, and says so once", async () => {
  const f = follower([new Error("ECONNREFUSED"), undefined, undefined, { id: "c", contextWindow: 8192 }], { id: "a" });
  for (let i = 0; i < 4; i++) {
    f.advance(3000);
    await f.current();
  }
  expect(await f.current()).toEqual({ id: "c", contextWindow: 8192 });
  expect(f.lines).toEqual([
    "debug: could not ask LM Studio which model is loaded: ECONNREFUSED",
    "warn: LM Studio has no model loaded; load one (requests go to a until then)",
    "info: LM Studio has c loaded (8192-token context); requests now go to it",
  ]);
});
