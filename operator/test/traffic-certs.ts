// Throwaway certificates for the traffic tests: a CA and leaf certificates made with the
// openssl CLI in a temp dir at test time (no private key is ever committed).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Cert { cert: string; key: string }
export interface CA extends Cert { dir: string; dispose(): void }

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: "ignore" });
}

export function makeCA(): CA {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-traffic-ca-"));
  openssl([
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", join(dir, "ca.key"), "-out", join(dir, "ca.crt"), "-days", "2", "-subj", "/CN=gatehouse e2e CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return {
    dir, cert: readFileSync(join(dir, "ca.crt"), "utf8"), key: readFileSync(join(dir, "ca.key"), "utf8"),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

let serial = 0;

/** A leaf certificate signed by `ca` for these DNS names (the first is the CN). */
export function issue(ca: CA, names: string[]): Cert {
  const n = ++serial;
  const f = (ext: string) => join(ca.dir, `leaf${n}.${ext}`);
  writeFileSync(f("ext"), `subjectAltName=${names.map((s) => `DNS:${s}`).join(",")}\n`);
  openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("key"), "-out", f("csr"), "-subj", `/CN=${names[0]}`]);
  openssl(["x509", "-req", "-in", f("csr"), "-CA", join(ca.dir, "ca.crt"), "-CAkey", join(ca.dir, "ca.key"), "-CAcreateserial", "-out", f("crt"), "-days", "2", "-extfile", f("ext")]);
  return { cert: readFileSync(f("crt"), "utf8"), key: readFileSync(f("key"), "utf8") };
}
