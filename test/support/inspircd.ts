// A real IRCv3 server for tests: inspircd 3 (Debian package, installed by scripts/test.sh) run
// in the foreground as a child process, with its config in a fresh temp dir, on 127.0.0.1 and a
// free port. Config: /work/shared/reference/test-peers.md §2 ("IRC alternative with IRCv3"), the
// modules listed in MODULES (server-time, message-tags, msgid, echo-message …, SAMODE for an
// operator to change a user's modes; no SASL, which needs a services daemon). Each client's registration takes about 1 s.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';

export interface InspircdOptions {
  /** the server's name, as it appears as the prefix of its messages (default irc3.localhost) */
  serverName?: string;
  /** how long to wait for the port to accept connections (default 5000 ms) */
  timeoutMs?: number;
}

export interface Inspircd {
  host: '127.0.0.1';
  port: number;
  name: string;
  /** inspircd's stdout/stderr so far */
  log(): string;
  /** ends the server (SIGTERM, then SIGKILL) and removes its temp dir; idempotent */
  stop(): Promise<void>;
}

/** The modules loaded: CAP and the IRCv3 capabilities, plus NAMESX/UHNAMES. */
export const MODULES = [
  'cap', 'ircv3', 'ircv3_servertime', 'ircv3_echomessage', 'ircv3_msgid', 'ircv3_ctctags', 'ircv3_batch',
  'ircv3_labeledresponse', 'ircv3_accounttag', 'ircv3_capnotify', 'ircv3_chghost', 'ircv3_invitenotify',
  'services_account', 'namesx', 'uhnames', 'samode',
];

const running = new Set<Inspircd>();
const INSPIRCD = existsSync('/usr/sbin/inspircd') ? '/usr/sbin/inspircd' : 'inspircd';

export function config(dir: string, port: number, name: string): string {
  return `<config format="xml">
<server name="${name}" description="test ircd" network="TestNet">
<admin name="Admin" nick="admin" email="admin@localhost">
<bind address="127.0.0.1" port="${port}" type="clients">
<connect name="main" allow="*" maxlocal="1000" maxglobal="1000" localmax="1000" globalmax="1000"
         maxconnwarn="off" limit="5000" threshold="1000" commandrate="100000" fakelag="no"
         recvq="65536" sendq="1048576" timeout="30" pingfreq="120" useident="no" resolvehostnames="no">
<files motd="${dir}/motd.txt">
<pid file="${dir}/inspircd.pid">
<path configdir="${dir}" datadir="${dir}/data" logdir="${dir}/logs" moduledir="/usr/lib/inspircd/modules">
<options allowzerolimit="no" defaultmodes="not">
<performance nouserdns="yes" clonesonconnect="no" netbuffersize="10240" somaxconn="128" softlimit="1024">
<security hidesplits="no" announceinvites="dynamic" hideserver="" runasuser="" runasgroup="">
<limits maxnick="30" maxchan="64" maxmodes="20" maxident="11" maxquit="255" maxtopic="307" maxkick="255" maxreal="128" maxgecos="128" maxaway="200">
${MODULES.map((m) => `<module name="${m}">`).join('\n')}
<oper name="admin" password="adminpass" host="*@*" type="NetAdmin">
<class name="Everything" commands="*" privs="*" usermodes="*" chanmodes="*">
<type name="NetAdmin" classes="Everything">
`;
}

export async function startInspircd(opts: InspircdOptions = {}): Promise<Inspircd> {
  const name = opts.serverName ?? 'irc3.localhost';
  const daemon = await startDaemon({
    label: 'inspircd',
    command: INSPIRCD,
    timeoutMs: opts.timeoutMs,
    prepare(dir, port) {
      mkdirSync(join(dir, 'data'), { recursive: true });
      mkdirSync(join(dir, 'logs'), { recursive: true });
      writeFileSync(join(dir, 'motd.txt'), 'test server\n');
      const confPath = join(dir, 'inspircd.conf');
      writeFileSync(confPath, config(dir, port, name));
      return ['--nofork', `--config=${confPath}`, ...(process.getuid?.() === 0 ? ['--runasroot'] : [])];
    },
  });
  const server: Inspircd = {
    host: daemon.host,
    port: daemon.port,
    name,
    log: daemon.log,
    async stop() {
      running.delete(server);
      await daemon.stop();
    },
  };
  running.add(server);
  return server;
}

/** Stops every inspircd started by this test file that is still running (for afterAll). */
export async function stopAllInspircd(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}
