// asl-validator over many files in one process: node validate.js FILE...
// Files are read and parsed (JSON, or YAML for .yaml/.yml) first; the clock covers the validation
// loop only, repeated until at least 300 ms have passed. A file that does not parse, or on which the
// validator throws, counts as rejected.
const fs = require('node:fs');
const aslValidator = require('asl-validator');
const YAML = require('yaml');
const { timeRepeated } = require('./common.js');

const files = process.argv.slice(2);
const parsed = files.map((path) => {
  const text = fs.readFileSync(path, 'utf8');
  try {
    const value = /\.ya?ml$/i.test(path) ? YAML.parse(text) : JSON.parse(text);
    return { path, value };
  } catch (error) {
    return { path, parseError: `syntax: ${error.message}` };
  }
});

let rejected = [];
const { ms, runs } = timeRepeated(() => {
  rejected = [];
  for (const file of parsed) {
    if (file.parseError) {
      rejected.push({ path: file.path, reason: file.parseError });
      continue;
    }
    try {
      const { isValid, errorsText } = aslValidator(file.value);
      if (!isValid) rejected.push({ path: file.path, reason: errorsText('; ').slice(0, 300) });
    } catch (error) {
      rejected.push({ path: file.path, reason: `threw ${error && error.name}: ${error && error.message}` });
    }
  }
}, 300);
process.stdout.write(`${JSON.stringify({ ms, passes: runs, files: files.length, rejected })}\n`);
