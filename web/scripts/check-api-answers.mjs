// Checks every answer the API tests kept (tests/support/api_record.cpp) against the API's
// contract, docs/openapi.json: the route and its status must be documented, and a JSON body
// must match the documented schema (Ajv). Usage:
//   node web/scripts/check-api-answers.mjs docs/openapi.json FOLDER [MIN_ANSWERS]
// Exits 1 on any mismatch, or when fewer than MIN_ANSWERS (default 100) answers were kept, so
// a run that kept nothing cannot pass.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";

const [documentPath, folder, minimum = "100"] = process.argv.slice(2);
if (!documentPath || !folder) {
  console.error("usage: check-api-answers.mjs OPENAPI_JSON FOLDER [MIN_ANSWERS]");
  process.exit(2);
}
const document = JSON.parse(readFileSync(documentPath, "utf8"));

// OpenAPI 3.0 → JSON Schema: `nullable: true` becomes "or null", and $refs point into the
// document registered under the id "api".
function convert(schema) {
  if (Array.isArray(schema)) return schema.map(convert);
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "nullable") continue;
    if (key === "$ref") out.$ref = value.replace(/^#/, "api#");
    else if (key === "properties")
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
    else out[key] = convert(value);
  }
  return schema.nullable === true ? { anyOf: [out, { type: "null" }] } : out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: "api", components: convert(document.components) });

const routes = [];
for (const [path, operations] of Object.entries(document.paths)) {
  const pattern = new RegExp("^" + path.replace(/\./g, "\\.").replace(/\{[a-z]+\}/g, "[^/]+") + "$");
  for (const [method, operation] of Object.entries(operations)) {
    routes.push({ path, method: method.toUpperCase(), pattern, operation, seen: 0 });
  }
}

const answers = [];
for (const file of readdirSync(folder).filter((f) => f.endsWith(".jsonl"))) {
  for (const line of readFileSync(join(folder, file), "utf8").split("\n")) {
    if (line.trim()) answers.push(JSON.parse(line));
  }
}

const problems = [];
const compiled = new Map();
let bodies = 0;
for (const answer of answers) {
  // The page's files and client-side routes are not part of the API.
  if (!answer.path.startsWith("/api/") && answer.path !== "/metrics") continue;
  const where = `${answer.method} ${answer.path} → ${answer.status}`;
  // The most specific template first: "/compare" before "/{vid}".
  const candidates = routes.filter((r) => r.method === answer.method && r.pattern.test(answer.path));
  candidates.sort((a, b) => (a.path.match(/\{/g) ?? []).length - (b.path.match(/\{/g) ?? []).length);
  const route = candidates[0];
  if (!route) {
    // Unknown routes are documented as the error document of any path (404).
    if (answer.status === 404) continue;
    problems.push(`${where}: no such route in the document`);
    continue;
  }
  route.seen++;
  let response = route.operation.responses[String(answer.status)] ?? route.operation.responses.default;
  if (response?.$ref) response = document.components.responses[response.$ref.split("/").pop()];
  if (!response) {
    problems.push(`${where}: status not documented for ${route.method} ${route.path}`);
    continue;
  }
  const schema = response.content?.["application/json"]?.schema;
  if (!schema) continue;
  let body;
  try {
    body = JSON.parse(answer.body);
  } catch {
    problems.push(`${where}: the body is not JSON (${answer.content_type})`);
    continue;
  }
  const key = `${route.method} ${route.path} ${answer.status}`;
  if (!compiled.has(key)) compiled.set(key, ajv.compile(convert(schema)));
  const validate = compiled.get(key);
  bodies++;
  if (!validate(body)) {
    const errors = validate.errors
      .slice(0, 5)
      .map((e) => `${e.instancePath || "/"} ${e.message}`)
      .join("; ");
    problems.push(`${where}: ${errors}`);
  }
}

const unseen = routes.filter((r) => r.seen === 0).map((r) => `${r.method} ${r.path}`);
console.log(`api contract: ${answers.length} answers, ${bodies} JSON bodies checked against ${documentPath}`);
if (unseen.length) console.log(`  routes no test asked: ${unseen.join(", ")}`);
const unique = [...new Set(problems)];
for (const p of unique.slice(0, 60)) console.log(`  MISMATCH ${p}`);
if (unique.length > 60) console.log(`  … and ${unique.length - 60} more`);
if (answers.length < Number(minimum)) {
  console.log(`api contract: only ${answers.length} answers were kept (at least ${minimum} expected)`);
  process.exit(1);
}
process.exit(unique.length ? 1 : 0);
