// Helpers shared by the peer drivers.
const fs = require('node:fs');

/** Names of the states of `type` at every depth (Parallel branches, Map processors). */
function stateNamesOfType(machine, type, out = []) {
  for (const [name, state] of Object.entries(machine.States || {})) {
    if (state && state.Type === type) out.push(name);
    for (const branch of (state && state.Branches) || []) stateNamesOfType(branch, type, out);
    for (const key of ['ItemProcessor', 'Iterator']) {
      if (state && state[key]) stateNamesOfType(state[key], type, out);
    }
  }
  return out;
}

/** The raw result every mocked Lambda Task returns (same as the Rust harness's mock). */
function mockPayload() {
  return { Payload: { ok: true, source: 'mock' }, StatusCode: 200 };
}

function readJson(path) {
  return JSON.parse(fs.readFileSync(path, 'utf8'));
}

/** Runs `work` until at least `minMs` have passed; returns the mean milliseconds per run. */
function timeRepeated(work, minMs) {
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    work();
    runs += 1;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < minMs);
  return { ms: elapsed / runs, runs };
}

module.exports = { stateNamesOfType, mockPayload, readJson, timeRepeated };
