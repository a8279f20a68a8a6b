// Compiles the report schema with ajv (draft 2020-12, default options) and validates JSON documents given as
// file arguments; prints one JSON line: {"compiled": true, "results": {file: [errors...]}}.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";

const [schemaFile, ...docs] = process.argv.slice(2);
const ajv = new Ajv2020({ allErrors: true }); // ajv's defaults, as an editor's tool would use it
const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
const results = {};
for (const file of docs) {
  const ok = validate(JSON.parse(readFileSync(file, "utf8")));
  results[file] = ok ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`);
}
console.log(JSON.stringify({ compiled: true, results }));
