// A real XMPP server for tests and the bench: Prosody 0.12 (Debian package, installed by
// scripts/test.sh) run by daemon.ts (foreground `-F`, config in a fresh temp dir, 127.0.0.1, a
// free c2s port, no HTTP, no s2s). Accounts are registered with `prosodyctl register` before the
// server starts (it writes the account files directly) and, later, by in-band registration
// (XEP-0077) over a plain socket, which is what the bench uses for its 1,000 accounts. SCRAM
// runs 128 PBKDF2 rounds instead of 10,000 so that @xmpp/client's pure-JS login is fast.
// Without a certificate (the default) no STARTTLS is offered; `tls` gives the host one.
// Config and pitfalls: /work/shared/reference/test-peers.md §3 (room locking off, run_as_root).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';

export interface ProsodyOptions {
  /** the virtual host (default "localhost"); the MUC service is conference.<domain> */
  domain?: string;
  /** accounts registered before the server starts: name → password */
  accounts?: Record<string, string>;
  /** how long to wait for the port to accept connections (default 10000 ms) */
  timeoutMs?: number;
  /** lock new rooms until their owner configures them, as Prosody and most servers do by default
   *  (default false: test-peers.md §3 turns it off so that plain clients can create rooms freely) */
  roomLocking?: boolean;
  /** a certificate and its key (PEM files, e.g. from test-ca.ts) for the virtual host: STARTTLS is
   *  offered (default: none, so the stream stays plaintext, test-peers.md §3 pitfall 5) */
  tls?: { cert: string; key: string };
  /** refuse clients that do not encrypt (c2s_require_encryption; default false) */
  requireEncryption?: boolean;
}

export interface Prosody {
  host: '127.0.0.1';
  port: number;
  domain: string;
  /** the MUC service: conference.<domain> */
  muc: string;
  dir: string;
  /** the server's log so far (of the current run) */
  log(): string;
  /** registers an account on the running server (XEP-0077 in-band registration) */
  register(user: string, password: string): Promise<void>;
  stop(): Promise<void>;
  /** ends the server and starts it again on the same port, with its accounts (clients see a disconnect) */
  restart(): Promise<void>;
  /** SIGKILL: a crash; restart() brings it back */
  kill(): Promise<void>;
}

const running = new Set<Prosody>();

function config(dir: string, port: number, domain: string, opts: ProsodyOptions): string {
  const { roomLocking = false, tls, requireEncryption = false } = opts;
  return `-- hubgraph test server (test-peers.md §3), loopback only
run_as_root = true
pidfile = "${dir}/prosody.pid"
data_path = "${dir}/data"
certificates = "${dir}/certs"
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { ${port} }
c2s_direct_tls_ports = {}
s2s_ports = {}
http_ports = {}
https_ports = {}
log = { { levels = { min = "info" }, to = "console" } }
authentication = "internal_hashed"
default_iteration_count = 128
storage = "internal"
c2s_require_encryption = ${requireEncryption}
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
allow_registration = true
min_seconds_between_registrations = 0
registration_throttle_max = 100000
c2s_stanza_size_limit = 262144
modules_enabled = {
  "roster"; "saslauth"; "disco"; "carbons"; "pep"; "private"; "blocklist";
  "vcard4"; "vcard_legacy"; "version"; "uptime"; "time"; "ping";
  "register"; "smacks"; "csi_simple";${tls ? ' "tls";' : ''}
}
modules_disabled = { "s2s"; "http"; "bosh"; "websocket"; "admin_shell" }

VirtualHost "${domain}"
${tls ? `  ssl = { certificate = "${tls.cert}"; key = "${tls.key}" }\n` : ''}
Component "conference.${domain}" "muc"
  restrict_room_creation = false
  muc_room_locking = ${roomLocking}
  muc_room_default_persistent = false
  max_history_messages = 50
`;
}

/** XEP-0077 in-band registration over a raw c2s stream (no TLS, no auth): one account. */
export function registerInBand(host: string, port: number, domain: string, user: string, password: string, timeoutMs = 10_000): Promise<void> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host, port });
    let buf = '';
    let sent = false;
    const fail = (why: string) => { clearTimeout(timer); sock.destroy(); reject(new Error(`registering ${user}@${domain}: ${why}`)); };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms:\n${buf}`), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('error', (e) => fail(e.message));
    sock.on('connect', () => sock.write(`<?xml version='1.0'?><stream:stream to='${esc(domain)}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`));
    sock.on('data', (d: string) => {
      buf += d;
      if (!sent && buf.includes('</stream:features>')) {
        sent = true;
        sock.write(`<iq type='set' id='reg1'><query xmlns='jabber:iq:register'><username>${esc(user)}</username><password>${esc(password)}</password></query></iq>`);
      }
      const answer = /<iq[^>]*id=['"]reg1['"][^>]*>/.exec(buf)?.[0];
      if (!answer) return;
      clearTimeout(timer);
      sock.end('</stream:stream>');
      if (/type=['"]result['"]/.test(answer)) resolve();
      else reject(new Error(`registering ${user}@${domain} was refused: ${buf.slice(buf.indexOf(answer))}`));
    });
  });
}

export async function startProsody(opts: ProsodyOptions = {}): Promise<Prosody> {
  const domain = opts.domain ?? 'localhost';
  let registered = false;
  const daemon = await startDaemon({
    label: 'prosody',
    command: 'prosody',
    timeoutMs: opts.timeoutMs ?? 10_000,
    prepare(dir, port) {
      mkdirSync(join(dir, 'data'), { recursive: true });
      mkdirSync(join(dir, 'certs'), { recursive: true });
      const confPath = join(dir, 'prosody.cfg.lua');
      writeFileSync(confPath, config(dir, port, domain, opts));
      if (!registered) {
        // before the server starts: prosodyctl writes the account files itself
        for (const [user, password] of Object.entries(opts.accounts ?? {})) {
          execFileSync('prosodyctl', ['--config', confPath, 'register', user, domain, password], { stdio: 'pipe', timeout: 20_000 });
        }
        registered = true;
      }
      return ['--config', confPath, '-F'];
    },
  });
  const server: Prosody = {
    host: daemon.host,
    port: daemon.port,
    domain,
    muc: `conference.${domain}`,
    dir: daemon.dir,
    log: daemon.log,
    register: (user, password) => registerInBand(daemon.host, daemon.port, domain, user, password),
    async stop() {
      running.delete(server);
      await daemon.stop();
    },
    restart: daemon.restart,
    kill: daemon.kill,
  };
  running.add(server);
  return server;
}

/** Stops every Prosody started by this test file that is still running (for afterAll). */
export async function stopAllProsody(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}
