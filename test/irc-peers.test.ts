// The IRC test peers themselves: a real ngircd and raw outside clients talking through it.
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { eventually } from './support/client.js';
import { startNgircd, stopAllIrc } from './support/ngircd.js';
import { connectRawIrc, type RawIrc } from './support/raw-irc.js';

const clients: RawIrc[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  await stopAllIrc();
});

async function client(host: string, port: number, nick: string): Promise<RawIrc> {
  const c = await connectRawIrc(host, port, nick);
  clients.push(c);
  return c;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('IRC test peers', () => {
  it('two raw clients in one channel see each other’s PRIVMSG', async () => {
    const irc = await startNgircd({ motd: 'hello peers', serverName: 'peers.localhost' });
    expect(irc.host).toBe('127.0.0.1');
    const alice = await client(irc.host, irc.port, 'alice_with_a_long_nick_29chr');
    const bob = await client(irc.host, irc.port, 'bob');
    expect(alice.lines[0]).toMatch(/^:peers\.localhost /);
    await alice.waitFor(/ 372 .*hello peers/);

    await alice.join('#hub');
    await bob.join('#hub');
    await alice.waitFor(/^:bob!\S+ JOIN :?#hub$/);

    alice.privmsg('#hub', 'hi bob');
    expect(await bob.waitFor(/ PRIVMSG #hub :/)).toMatch(/^:alice_with_a_long_nick_29chr!\S+ PRIVMSG #hub :hi bob$/);
    bob.privmsg('#hub', 'hi alice');
    expect(await alice.waitFor((l) => l.endsWith('PRIVMSG #hub :hi alice'))).toMatch(/^:bob!/);

    // newOnly ignores what was already received
    await expect(bob.waitFor(/hi bob/, 200, { newOnly: true })).rejects.toThrow(/within 200 ms/);
    await bob.quit();
    await alice.waitFor(/^:bob!\S+ QUIT /);
  });

  it('restart() keeps the port, kill() + restart() too, and stop() frees it', async () => {
    const irc = await startNgircd();
    const { port } = irc;
    const before = await client(irc.host, port, 'before');

    await irc.restart();
    expect(irc.port).toBe(port);
    await eventually(() => before.closed(), 2000); // the old server's clients were disconnected
    const after = await client(irc.host, port, 'after');
    after.send('PING :check');
    await after.waitFor(/ PONG .*check/);

    await irc.kill();
    await irc.restart();
    expect(irc.port).toBe(port);
    const again = await client(irc.host, port, 'again');
    await again.quit();

    await irc.stop();
    expect(await portIsFree(port)).toBe(true);
    await expect(connectRawIrc('127.0.0.1', port, 'late')).rejects.toThrow(/cannot connect/);
  });
});
