// CTest dila.client: the npm client @socialgouv/dila-api-client, unmodified, against
//   1. `pistesim serve --host-ports 0`, on both channels: TOKEN_HOST and API_HOST are the host
//      ports' URLs, exactly where the real hosts' would go;
//   2. the HTTPS host-name setup of the README: a certificate for PISTE's four host names,
//      trusted through NODE_EXTRA_CA_CERTS, the names resolved to loopback (resolve_piste_hosts.mjs
//      stands in for the /etc/hosts line, which needs root), TOKEN_HOST and API_HOST PISTE's own
//      URLs with the server's port.
// Each run is legifrance_calls.mjs, a child process configured by the environment only.
// Usage: node tests/dila/dila_client_test.mjs PATH/TO/pistesim
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const fail = (message) => {
  console.error(`dila.client: ${message}`);
  process.exit(1);
};
const pistesim = process.argv[2];
if (!pistesim || !existsSync(pistesim)) fail("usage: node dila_client_test.mjs PATH/TO/pistesim");
if (!existsSync(join(here, "node_modules/@socialgouv/dila-api-client")))
  fail(`${here}/node_modules lacks @socialgouv/dila-api-client; run scripts/install-deps.sh ` +
       "(it installs the packages of tests/dila/package.json)");

const dir = mkdtempSync(join(tmpdir(), "pistesim-dila-"));
const servers = [];
process.on("exit", () => {
  for (const s of servers) s.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

// Starts `pistesim serve … --info-file` and resolves with what the info file says.
async function serve(name, args) {
  const info = join(dir, `${name}.json`);
  let output = "";
  const child = spawn(pistesim, ["serve", "--port", "0", "--quiet", "--info-file", info, ...args],
                      { stdio: ["ignore", "pipe", "pipe"] });
  servers.push(child);
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  for (let waited = 0; waited < 20000; waited += 50) {
    if (existsSync(info)) return JSON.parse(readFileSync(info, "utf8"));
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  fail(`pistesim serve ${args.join(" ")} did not start:\n${output}`);
}

// Runs the integrator's program with `env`; fails the test when it fails.
function client(what, env, nodeArgs = []) {
  try {
    const out = execFileSync(process.execPath, [...nodeArgs, join(here, "legifrance_calls.mjs")],
                             { env: { ...process.env, ...env }, encoding: "utf8", timeout: 30000 });
    process.stdout.write(`${what}: ${out}`);
  } catch (e) {
    fail(`${what}: the client failed\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
  }
}

const legifrance = "/dila/legifrance/lf-engine-app";

// 1. Host ports, both channels.
const plain = await serve("host-ports", ["--host-ports", "0"]);
for (const channel of ["sandbox", "production"]) {
  const hosts = plain.host_ports?.[channel];
  if (!hosts?.oauth_url || !hosts?.api_url) fail(`no ${channel} host ports in the info file`);
  client(`host ports, ${channel}`, {
    OAUTH_CLIENT_ID: plain.demo[channel].client_id,
    OAUTH_CLIENT_SECRET: plain.demo[channel].client_secret,
    TOKEN_HOST: hosts.oauth_url,
    API_HOST: hosts.api_url + legifrance,
  });
}

// 2. HTTPS and PISTE's host names (host routing on the main port).
const key = join(dir, "piste-key.pem");
const cert = join(dir, "piste-cert.pem");
try {
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-keyout", key, "-out", cert, "-subj", "/CN=piste.gouv.fr", "-addext",
                           "subjectAltName=DNS:oauth.piste.gouv.fr,DNS:sandbox-oauth.piste.gouv.fr," +
                           "DNS:api.piste.gouv.fr,DNS:sandbox-api.piste.gouv.fr"],
               { stdio: "pipe" });
} catch (e) {
  fail(`openssl could not make the certificate: ${e.stderr ?? e.message}`);
}
const tls = await serve("tls", ["--tls-cert", cert, "--tls-key", key]);
const port = new URL(tls.base_url).port;
client("HTTPS host names, sandbox", {
  OAUTH_CLIENT_ID: tls.demo.sandbox.client_id,
  OAUTH_CLIENT_SECRET: tls.demo.sandbox.client_secret,
  TOKEN_HOST: `https://sandbox-oauth.piste.gouv.fr:${port}`,
  API_HOST: `https://sandbox-api.piste.gouv.fr:${port}${legifrance}`,
  NODE_EXTRA_CA_CERTS: cert,
}, ["--import", join(here, "resolve_piste_hosts.mjs")]);
console.log("dila.client: all runs passed");
process.exit(0);  // the "exit" handler stops the servers
