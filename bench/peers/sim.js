// One aws-local-stepfunctions run: node sim.js DEFINITION INPUT OUTPUT.json
// Every Task is overridden by a local handler returning the same payload as our mock, every Wait
// lasts 0 ms (we move a virtual clock). The clock covers StateMachine.run only (the constructor,
// which validates the definition, is left out; our time includes compiling the definition).
require('./polyfill.js');
const fs = require('node:fs');
const { StateMachine } = require('aws-local-stepfunctions');
const { stateNamesOfType, mockPayload, readJson } = require('./common.js');

async function main() {
  const [definitionPath, inputPath, outputPath] = process.argv.slice(2);
  const definition = readJson(definitionPath);
  const input = readJson(inputPath);
  const taskResourceLocalHandlers = {};
  for (const name of stateNamesOfType(definition, 'Task')) {
    taskResourceLocalHandlers[name] = async () => mockPayload();
  }
  const waitTimeOverrides = {};
  for (const name of stateNamesOfType(definition, 'Wait')) waitTimeOverrides[name] = 0;
  // gen_asl.py leaves a Fail state unreachable in machines without a Catch, which the constructor's
  // validation (asl-validator) rejects as AWS does; the run itself is what is measured here.
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  const start = process.hrtime.bigint();
  let outcome;
  try {
    const execution = machine.run(input, { overrides: { taskResourceLocalHandlers, waitTimeOverrides } });
    const output = await execution.result;
    outcome = { status: 'SUCCEEDED', output };
  } catch (error) {
    outcome = { status: 'FAILED', error: error && error.name, cause: error && error.message };
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.writeFileSync(outputPath, JSON.stringify(outcome));
  process.stdout.write(`${JSON.stringify({ ms, status: outcome.status })}\n`);
}

main().catch((error) => {
  process.stderr.write(`sim.js: ${error && error.stack}\n`);
  process.exit(1);
});
