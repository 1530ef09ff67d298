// Preloaded (node --import) in the HTTPS host-name check: resolves *.piste.gouv.fr to loopback in
// this process only, as the README's /etc/hosts line does for the whole machine (which needs
// root and would cut the machine off from the real PISTE). The client itself is untouched.
import dns from "node:dns";

const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (typeof options === "function") [options, callback] = [{}, options];
  if (typeof options === "number") options = { family: options };
  if (!/(^|\.)piste\.gouv\.fr$/i.test(hostname)) return lookup.call(this, hostname, options, callback);
  const address = { address: "127.0.0.1", family: 4 };
  process.nextTick(() =>
    options?.all ? callback(null, [address]) : callback(null, address.address, address.family));
  return {};
};
