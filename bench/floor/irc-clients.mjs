// The floor of the IRC sessions figures: N plain irc-framework clients in one process (this
// one, plain node, no tsx), each registered and joined to a channel of ten, as hubgraph's sessions
// are. Commands on stdin, one JSON answer per line on stdout:
//   {"cmd":"connect","host":…,"port":…,"count":N,"inFlight":K,"connectsAtOnce":C,"nickPrefix":…,"channelPrefix":…}
//     → {"connected":N,"ms":…,"failed":…,"retries":…}   (K clients in flight, at most C of them between TCP
//     connect and registration, as the bench does for hubgraph; a connect reset by ngircd's full
//     backlog is tried again, at most 3 times, and counted)
//   {"cmd":"gc"} → process.memoryUsage() after a full GC (run with --expose-gc)
// It prints {"ready":true} once irc-framework is loaded. The bench reads this process's VmRSS.
import irc from 'irc-framework';
import { createInterface } from 'node:readline';

const clients = [];

let gateFree = 0;
const gateWaiting = [];
async function gated(fn) {
  if (gateFree > 0) gateFree--;
  else await new Promise((r) => gateWaiting.push(r));
  try {
    return await fn();
  } finally {
    const next = gateWaiting.shift();
    if (next) next();
    else gateFree++;
  }
}

/** registers (inside the gate), then joins; resolves with the client once joined */
function connectOne(host, port, nick, channel) {
  const client = new irc.Client();
  let registered;
  const joined = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${nick}: not registered and joined within 60 s`)), 60_000);
    registered = new Promise((r) => client.on('registered', () => r()));
    client.on('join', (e) => {
      if (e.nick !== client.user.nick) return;
      clearTimeout(timer);
      resolve(client);
    });
    client.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`${nick}: connection closed`));
    });
  });
  joined.catch(() => undefined);
  return gated(async () => {
    client.connect({ host, port, tls: false, nick, username: nick, gecos: nick, auto_reconnect: false, version: 'floor' });
    await Promise.race([registered, joined]);
  }).then(() => {
    client.join(channel);
    return joined;
  });
}

async function connectMany({ host, port, count, inFlight, connectsAtOnce, nickPrefix, channelPrefix }) {
  gateFree = connectsAtOnce;
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  let retries = 0;
  let firstError;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      for (let attempt = 0; ; attempt++) {
        try {
          clients.push(await connectOne(host, port, `${nickPrefix}${i}`, `#${channelPrefix}${Math.floor(i / 10)}`));
          break;
        } catch (err) {
          if (attempt < 3 && /connection closed/.test(err.message)) {
            retries++;
            await new Promise((r) => setTimeout(r, 50));
            continue;
          }
          failed++;
          firstError ??= err.message;
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return { connected: count - failed, failed, retries, firstError, ms: performance.now() - t0 };
}

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const msg = JSON.parse(line);
  if (msg.cmd === 'connect') process.stdout.write(`${JSON.stringify(await connectMany(msg))}\n`);
  if (msg.cmd === 'gc') {
    globalThis.gc();
    process.stdout.write(`${JSON.stringify(process.memoryUsage())}\n`);
  }
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
