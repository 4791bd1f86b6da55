#!/usr/bin/env bun
// anyclaude: run Claude Code on any model.
import { defineCommand, runMain } from "citty";
import pkg from "../package.json" with { type: "json" };
import { serveCommand } from "./cli/serve.ts";

const main = defineCommand({
  meta: { name: "anyclaude", version: pkg.version, description: pkg.description },
  subCommands: { serve: serveCommand },
});

await runMain(main);
