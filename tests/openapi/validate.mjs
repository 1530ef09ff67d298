// Validates control API answers against docs/openapi.json (JSON Schema 2020-12, with Ajv).
// Usage: node tests/openapi/validate.mjs OPENAPI.json EXCHANGES.json
// EXCHANGES.json: [{"method": "PUT", "path": "/applications/demo-sandbox/quota", "status": 200,
//                   "content_type": "application/json", "body": "…", "request_body": "…"}] —
// paths relative to /__pistesim, bodies as sent and received. Each is matched to the document's
// path template (the most literal one, as the router does), then its status must be documented
// for that operation and its body must satisfy the schema given for that status and media type;
// a request body that was accepted (2xx) must satisfy the operation's request schema. Prints one
// line per failure and exits 1 if any; 2 on a usage or input error.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";

function fail(message) {
  console.error(`validate.mjs: ${message}`);
  process.exit(2);
}

if (process.argv.length !== 4) fail("usage: node validate.mjs OPENAPI.json EXCHANGES.json");
const read = (file) => {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    fail(`${file}: ${e.message}`);
  }
};
const doc = read(process.argv[2]);
const exchanges = read(process.argv[3]);

// The document's schemas become $defs of one schema, so "#/components/schemas/X" references
// resolve as "#/$defs/X" without teaching Ajv the OpenAPI keywords around them.
const rewrite = (node) =>
  JSON.parse(JSON.stringify(node).replaceAll('"#/components/schemas/', '"#/$defs/'));
const defs = rewrite(doc.components?.schemas ?? {});
const ajv = new Ajv2020({ allErrors: true, strict: true });
const deref = (node) => {
  if (!node || typeof node.$ref !== "string") return node;
  const at = node.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o?.[k], doc);
  if (at === undefined) fail(`unresolved reference ${node.$ref}`);
  return at;
};

// The path template of `path`: same number of segments, literal ones equal, most literals wins.
function template(path) {
  const segments = path.split("/").filter(Boolean);
  let best = null;
  let bestLiterals = -1;
  for (const candidate of Object.keys(doc.paths ?? {})) {
    const parts = candidate.split("/").filter(Boolean);
    if (parts.length !== segments.length) continue;
    let literals = 0;
    const match = parts.every((p, i) => {
      if (p.startsWith("{") && p.endsWith("}")) return true;
      literals += 1;
      return p === segments[i];
    });
    if (match && literals > bestLiterals) [best, bestLiterals] = [candidate, literals];
  }
  return best;
}

const failures = [];
let failing = 0;
const validators = new Map();
for (const x of exchanges) {
  const before = failures.length;
  check(x);
  if (failures.length > before) failing += 1;
}

function check(x) {
  const where = `${x.method} ${x.path} → ${x.status}`;
  const path = template(x.path.split("?")[0]);
  const operation = path && doc.paths[path][x.method.toLowerCase()];
  if (!operation) {
    failures.push(`${where}: no such operation in the document`);
    return;
  }
  const response = deref(operation.responses?.[String(x.status)]);
  if (!response) {
    failures.push(`${where}: status ${x.status} is not documented for ${x.method} ${path}`);
    return;
  }
  if (x.request_body && x.status < 300) {
    const schema = operation.requestBody?.content?.["application/json"]?.schema;
    if (!schema) failures.push(`${where}: a body was accepted, but the document lists none`);
    else conform(`${path} ${x.method} request`, schema, x.request_body, `${where}: request body`);
  }
  const mediaType = (x.content_type ?? "").split(";")[0].trim();
  const media = response.content?.[mediaType];
  if (!media) {
    failures.push(`${where}: ${mediaType || "no content type"} is not documented for this status`);
    return;
  }
  if (mediaType !== "application/json") return;  // other bodies: the media type is the check
  conform(`${path} ${x.method} ${x.status}`, media.schema, x.body, `${where}: body`);
}

// `text` parsed as JSON satisfies `schema` (compiled once per `key`); failures name `what`.
function conform(key, schema, text, what) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    failures.push(`${what} is not JSON (${e.message})`);
    return;
  }
  if (!validators.has(key)) {
    try {
      validators.set(key, ajv.compile({ $defs: defs, ...rewrite(schema) }));
    } catch (e) {
      fail(`${key}: the document's schema does not compile: ${e.message}`);
    }
  }
  const validate = validators.get(key);
  if (!validate(value))
    for (const e of validate.errors)
      failures.push(`${what}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

for (const f of failures) console.log(f);
console.log(`${exchanges.length - failing} of ${exchanges.length} answers match the document`);
process.exit(failures.length ? 1 : 0);
