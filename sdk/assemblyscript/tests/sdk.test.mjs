// Runs the SDK's unit tests with node's test runner: `npm test`, or
// `node --test tests/` in sdk/assemblyscript.
//
// It compiles tests/index.ts with asc (the unit tests of the codec and the
// JSON writer/reader) and runs each exported test_* function in a fresh
// instance; a failed check aborts (the SDK's abort: a log line, then a
// trap), which fails the test with the check's message. It also builds the examples as the README says and
// checks that they import nothing but arbiter_v1 and export what ABI.md §2
// requires.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "arbiter-as-test-"));
process.on("exit", () => fs.rmSync(out, { recursive: true, force: true }));

async function compile(args) {
  const { error, stderr } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr });
  if (error) throw new Error(`asc ${args.join(" ")}: ${error.message}\n${stderr.toString()}`);
}

// Unit tests, built with the package's asconfig.json like real modules:
// a failed check goes through the SDK's abort, which logs the message
// through arbiter_v1.log and traps.
const testWasm = path.join(out, "tests.wasm");
await compile([path.join(root, "tests/index.ts"), "--config", path.join(root, "asconfig.json"), "--debug", "-o", testWasm]);
const testModule = new WebAssembly.Module(fs.readFileSync(testWasm));

function instantiate() {
  const state = { memory: null, logs: [] };
  const fail = () => { throw new Error("unexpected host call"); };
  const instance = new WebAssembly.Instance(testModule, {
    arbiter_v1: {
      log(level, ptr, len) {
        state.logs.push(Buffer.from(state.memory.buffer, ptr, len).toString("utf8"));
        return 0;
      },
      take: fail, nk_call: () => 0n, match_broadcast: fail, match_kick: fail, match_label_update: fail,
    },
  });
  state.memory = instance.exports.memory;
  instance.exports._initialize();
  return { exports: instance.exports, state };
}

function run(name) {
  const { exports, state } = instantiate();
  try {
    exports[name]();
  } catch (e) {
    // The trap after the SDK's abort: report what it logged.
    throw new Error(state.logs.length ? state.logs.join("\n") : String(e));
  }
}

const names = WebAssembly.Module.exports(testModule).map((e) => e.name).filter((n) => n.startsWith("test_"));
assert.ok(names.length > 0, "no test_* exports");
for (const name of names) {
  test(name.slice("test_".length), () => run(name));
}

// The examples, built with the package's asconfig.json.
for (const [example, file] of [["echo", "echo_as.wasm"], ["tictactoe", "tictactoe_as.wasm"], ["arena", "arena_as.wasm"]]) {
  test(`example ${example} imports only arbiter_v1`, async () => {
    const wasm = path.join(out, file);
    await compile([path.join(root, "examples", example, "index.ts"), "--config", path.join(root, "asconfig.json"), "-o", wasm]);
    const mod = new WebAssembly.Module(fs.readFileSync(wasm));
    for (const imp of WebAssembly.Module.imports(mod)) {
      assert.equal(imp.module, "arbiter_v1", `import ${imp.module}.${imp.name}`);
    }
    const exports = Object.fromEntries(WebAssembly.Module.exports(mod).map((e) => [e.name, e.kind]));
    for (const name of ["arbiter_abi_version", "arbiter_alloc", "arbiter_init", "_initialize"]) {
      assert.equal(exports[name], "function", `export ${name}`);
    }
    assert.equal(exports.memory, "memory");
    assert.equal(exports._start, undefined, "a WASI command export");
  });
}

test("abort logs its message, then traps", () => {
  const { exports, state } = instantiate();
  assert.throws(() => exports.abort_for_runner(), WebAssembly.RuntimeError);
  assert.equal(state.logs.length, 1);
  assert.equal(state.logs[0], "abort: checked failure");
});
