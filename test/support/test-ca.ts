// A private certificate authority for TLS tests, made with openssl at test time (installed from
// Debian when missing, as scripts/test.sh does for the servers): a CA certificate, and server
// certificates it signs for the names asked for. Nothing is trusted unless a test hands the CA to
// a process (for Node: NODE_EXTRA_CA_CERTS in the environment it starts with).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  dir: string;
  /** the CA certificate (PEM): what a client must trust */
  caCert: string;
  /** a key and a certificate for `names` (subjectAltName DNS entries, the first also the CN), signed by the CA */
  issue(label: string, names: string[]): { cert: string; key: string };
  remove(): void;
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** scripts/lib/services.sh need_pkg, for a test that needs openssl */
function needOpenssl(): void {
  if (hasOpenssl()) return;
  const root = process.getuid?.() === 0;
  const run = (args: string[]) => execFileSync(root ? args[0]! : 'sudo', root ? args.slice(1) : args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 300_000 });
  process.stderr.write('test-ca: installing openssl (missing openssl)\n');
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', 'openssl']);
}

export function makeTestCa(): TestCa {
  needOpenssl();
  const dir = mkdtempSync(join(tmpdir(), 'hubgraph-ca-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caCert,
    '-days', '2', '-subj', '/CN=hubgraph test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  return {
    dir,
    caCert,
    issue(label, names) {
      const key = join(dir, `${label}.key`);
      const csr = join(dir, `${label}.csr`);
      const cert = join(dir, `${label}.crt`);
      const ext = join(dir, `${label}.ext`);
      writeFileSync(ext, `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
      ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${names[0]}`);
      ssl('x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext);
      return { cert, key };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
