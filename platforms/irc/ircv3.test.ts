// The IRC platform's IRCv3 side through the public GraphQL API: SASL PLAIN against a scripted
// server (test/support/sasl-ircd.ts; inspircd's SASL needs a services daemon), and server-time
// and message-tags against inspircd 3 (test/support/inspircd.ts) with a raw outside client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, type Hubgraph } from '../../test/support/hubgraph.js';
import { collect, errorCode, eventually, gql, ok, openSession, sleep, verb, wsClient } from '../../test/support/client.js';
import { startInspircd, stopAllInspircd, type Inspircd } from '../../test/support/inspircd.js';
import { connectRawIrc, type RawIrc } from '../../test/support/raw-irc.js';
import { startScriptedIrcd, type ScriptedIrcd } from '../../test/support/sasl-ircd.js';

const SET = 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }';

let hub: Hubgraph;
let sasl: ScriptedIrcd;
let plain: ScriptedIrcd;
let v3: Inspircd;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  [hub, sasl, plain, v3] = await Promise.all([
    startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'irc' } }),
    startScriptedIrcd({ accounts: { carol: 'sesame' } }),
    startScriptedIrcd({ sasl: false }),
    startInspircd(),
  ]);
});

afterAll(async () => {
  for (const close of closers) await close();
  await hub?.stop();
  if (hub) await dropPrefix(hub.prefix);
  await sasl?.stop();
  await plain?.stop();
  await stopAllInspircd();
});

/** setCredentials then connect on a fresh API session; returns the connect result and the token. */
async function connectWith(nick: string, ircd: ScriptedIrcd, extra: Record<string, unknown>) {
  const token = await openSession(hub.url);
  const actor = `${nick}@${ircd.host}`;
  await ok(hub.url, SET, { p: 'irc', a: actor, c: { nick, server: ircd.host, port: ircd.port, secure: false, ...extra } }, token);
  const input = { input: { platform: 'irc', actor: { id: actor, type: 'person' } } };
  const result = await gql(hub.url, verb('connect', 'type actor { id }'), input, token);
  return { result, token, input };
}

describe('IRC SASL PLAIN', () => {
  it('logs in with sasl: true, username and password, and sends no PASS', async () => {
    const { result, token, input } = await connectWith('carol1', sasl, { sasl: true, username: 'carol', password: 'sesame' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.connect).toMatchObject({ type: 'connect', actor: { id: `carol1@${sasl.host}` } });
    const c = sasl.clients.find((x) => x.nick === 'carol1')!;
    expect(c.account).toBe('carol');
    expect(c.caps.has('sasl')).toBe(true);
    expect(c.registered).toBe(true);
    expect(c.lines.some((l) => l.startsWith('PASS'))).toBe(false);
    expect(sasl.attempts).toContainEqual({ account: 'carol', ok: true });
    await ok(hub.url, verb('disconnect', 'type'), input, token);
  });

  it('fails connect with PLATFORM_ERROR naming SASL when the password is wrong', async () => {
    const { result } = await connectWith('carol2', sasl, { sasl: true, username: 'carol', password: 'wrong' });
    expect(errorCode(result)).toBe('PLATFORM_ERROR');
    expect(result.errors?.[0]?.message).toMatch(/SASL authentication as "carol" failed/);
    expect(sasl.attempts).toContainEqual({ account: 'carol', ok: false });
    expect(sasl.clients.find((x) => x.nick === 'carol2')?.registered ?? false).toBe(false);
  });

  it('fails connect when the server does not offer SASL, rather than carrying on unauthenticated', async () => {
    const { result } = await connectWith('carol3', plain, { sasl: true, username: 'carol', password: 'sesame' });
    expect(errorCode(result)).toBe('PLATFORM_ERROR');
    expect(result.errors?.[0]?.message).toMatch(/SASL .*does not offer it/);
    const c = plain.clients.find((x) => x.nick === 'carol3')!;
    expect(c.lines.some((l) => l.startsWith('AUTHENTICATE'))).toBe(false);
  });

  it('ends the session with an error activity when the login is refused during a reconnect, rather than retrying forever', async () => {
    const ircd = await startScriptedIrcd({ accounts: { hank: 'first' } });
    closers.push(() => ircd.stop());
    const { result, token, input } = await connectWith('hank1', ircd, { sasl: true, username: 'hank', password: 'first' });
    expect(result.errors).toBeUndefined();
    const ws = wsClient(hub.wsUrl, token);
    closers.push(() => ws.dispose());
    const feed = collect(ws, 'subscription { activities(platform: "irc") { type actor { id } target { id type } object { type content json } } }');
    const first = ircd.clients.find((c) => c.nick === 'hank1')!;
    for (let i = 0; !feed.items.length && i < 50; i++) { first.send(`:op!op@127.0.0.1 NOTICE hank1 :are you there ${i}`); await sleep(100); }
    const acts = () => feed.items.map((i) => i.activities);

    ircd.accounts.hank = 'changed'; // the account's password changed elsewhere
    ircd.dropClients();
    const error = await eventually(() => acts().find((a) => a.type === 'error'), 10_000, 20);
    expect(error).toMatchObject({ actor: { id: `hank1@${ircd.host}` }, target: { id: ircd.host, type: 'service' }, object: { type: 'error', json: expect.objectContaining({ verb: 'connect' }) } });
    expect(error.object.content).toMatch(/SASL authentication as "hank" failed.*not reconnecting/);
    const types = acts().map((a) => a.type);
    expect(types.indexOf('disconnect')).toBeLessThan(types.indexOf('error'));
    // the host forgets the connection and says so
    await eventually(() => acts().filter((a) => a.type === 'disconnect').length >= 2, 5000, 20);
    // no further attempt (a retry would come within 0.5-1 s, the next 1-2 s after it)
    await sleep(3500);
    expect(ircd.attempts.filter((a) => a.account === 'hank' && !a.ok)).toHaveLength(1);
    expect(ircd.clients.filter((c) => c.lines.some((l) => l.startsWith('AUTHENTICATE')))).toHaveLength(2);
    expect(acts().some((a) => a.type === 'connect')).toBe(false);
    const after = await gql(hub.url, verb('send', 'type'), { input: { ...input.input, target: { id: `#x@${ircd.host}`, type: 'room' }, object: { type: 'message', content: 'anyone?' } } }, token);
    expect(errorCode(after)).toBeTruthy();
  }, 30_000);

  it('needs a password with sasl: true', async () => {
    const { result } = await connectWith('carol4', sasl, { sasl: true });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain('password');
  });

  it('without sasl, a password is a server password (PASS) and never tried for SASL', async () => {
    const { result, token, input } = await connectWith('dan', sasl, { password: 'serverpass' });
    expect(result.errors).toBeUndefined();
    const c = sasl.clients.find((x) => x.nick === 'dan')!;
    expect(c.lines).toContain('PASS serverpass');
    expect(c.lines.some((l) => l.startsWith('AUTHENTICATE'))).toBe(false);
    expect(c.account).toBeUndefined();
    await ok(hub.url, verb('disconnect', 'type'), input, token);
  });
});

describe('IRCv3 on inspircd: server-time and message-tags', () => {
  it('dates an inbound message with the server time tag and carries its msgid and tags in the object', async () => {
    const server = v3.host;
    // the outside user asks for the same capabilities, plus echo-message to see its own line as others do
    const [outsider, conn] = await Promise.all([connectRawIrc(server, v3.port, 'outsider'), connectWith('erin', v3, {})]);
    closers.push(() => outsider.close());
    expect(conn.result.errors).toBeUndefined();
    await outsider.join('#v3'); // before the tags, which the raw client's join() does not expect
    outsider.send('CAP REQ :server-time message-tags echo-message');
    await outsider.waitFor(/ CAP \S+ ACK :/);

    const ws = wsClient(hub.wsUrl, conn.token);
    closers.push(() => ws.dispose());
    const feed = collect(ws, 'subscription { activities(platform: "irc") { type actor { id } target { id } object { id type content json } published } }');
    const chan = { id: `#v3@${server}`, type: 'room' };
    // the subscription is live once a notice from the outside user reaches it
    for (let i = 0; !feed.items.length && i < 50; i++) { outsider.send(`NOTICE erin :are you there ${i}`); await sleep(100); }
    await ok(hub.url, verb('join', 'type'), { input: { ...conn.input.input, target: chan } }, conn.token);

    const from = outsider.lines.length;
    outsider.send('@+hubgraph.test/mood=happy PRIVMSG #v3 :tagged hello');
    const echoed = await outsider.waitFor(/ PRIVMSG #v3 :tagged hello$/, 5000, { from });
    const tags = Object.fromEntries(echoed.slice(1, echoed.indexOf(' ')).split(';').map((t) => t.split('=') as [string, string]));
    expect(tags.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(tags.msgid).toBeTruthy();

    const got = await eventually(() => feed.items.map((i) => i.activities).find((a) => a.type === 'send' && a.object?.content === 'tagged hello'), 5000, 20);
    expect(got).toMatchObject({ actor: { id: `outsider@${server}` }, target: { id: chan.id }, published: tags.time });
    expect(got.object.id).toBe(tags.msgid);
    expect(got.object.json.tags).toMatchObject({ time: tags.time, msgid: tags.msgid, '+hubgraph.test/mood': 'happy' });
    await ok(hub.url, verb('disconnect', 'type'), conn.input, conn.token);
  });
});

describe('IRCv3 on inspircd: tags on every event, echo-message', () => {
  it('dates joins, nick changes, topics, modes, kicks, parts and quits with server-time and carries their tags', async () => {
    const server = v3.host;
    const [op, mover, conn] = await Promise.all([connectRawIrc(server, v3.port, 'tagop'), connectRawIrc(server, v3.port, 'mover'), connectWith('ivy', v3, {})]);
    closers.push(() => op.close(), () => mover.close());
    expect(conn.result.errors).toBeUndefined();
    await op.join('#tags');
    const ws = wsClient(hub.wsUrl, conn.token);
    closers.push(() => ws.dispose());
    const feed = collect(ws, 'subscription { activities(platform: "irc") { type actor { id } target { id } object { type content json } published json } }');
    for (let i = 0; !feed.items.length && i < 50; i++) { op.send(`NOTICE ivy :are you there ${i}`); await sleep(100); }
    await ok(hub.url, verb('join', 'type'), { input: { ...conn.input.input, target: { id: `#tags@${server}`, type: 'room' } } }, conn.token);
    const acts = () => feed.items.map((i) => i.activities);
    const from = acts().length;
    const expectTagged = async (pred: (a: any) => boolean, what: string) => {
      const a = await eventually(() => acts().slice(from).find(pred), 5000, 20).catch(() => { throw new Error(`never saw ${what}; got:\n${acts().slice(from).map((x) => JSON.stringify(x)).join('\n')}`); });
      expect(a.json.tags?.time, `${what}: the time tag`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(a.published, `${what}: published is the server's time`).toBe(a.json.tags.time);
      return a;
    };
    await mover.join('#tags');
    await expectTagged((a) => a.type === 'join' && a.actor.id === `mover@${server}`, 'the join');
    mover.send('NICK mover2');
    await expectTagged((a) => a.type === 'update' && a.object?.type === 'address' && a.actor.id === `mover@${server}`, 'the nick change');
    op.send('TOPIC #tags :tagged topic');
    await expectTagged((a) => a.type === 'update' && a.object?.type === 'topic' && a.object.content === 'tagged topic', 'the topic');
    op.send('MODE #tags +m');
    await expectTagged((a) => a.type === 'update' && a.object?.type === 'mode' && a.object.content === '+m', 'the mode');
    op.send('MODE #tags +v mover2');
    await expectTagged((a) => a.type === 'update' && a.object?.type === 'presence' && a.object.json.mode === '+v', 'the voice');
    op.send('KICK #tags mover2 :out');
    await expectTagged((a) => a.type === 'leave' && a.object?.type === 'kick', 'the kick');
    mover.send('JOIN #tags');
    await expectTagged((a) => a.type === 'join' && a.actor.id === `mover2@${server}`, 'the rejoin');
    mover.send('PART #tags :bye');
    await expectTagged((a) => a.type === 'leave' && a.object?.content === 'bye', 'the part');
    mover.send('JOIN #tags');
    await eventually(() => acts().slice(from).filter((a) => a.type === 'join' && a.actor.id === `mover2@${server}`).length >= 2, 5000, 20);
    await mover.quit('gone');
    await expectTagged((a) => a.type === 'leave' && a.object?.type === 'quit', 'the quit');
    await ok(hub.url, verb('disconnect', 'type'), conn.input, conn.token);
  });

  it('asks for echo-message: sessions sharing the connection each see a message one of them sent once, with its msgid; the outside once', async () => {
    const server = v3.host;
    const [peer, a] = await Promise.all([connectRawIrc(server, v3.port, 'echopeer'), connectWith('jude', v3, {})]);
    closers.push(() => peer.close());
    expect(a.result.errors).toBeUndefined();
    const b = await connectWith('jude', v3, {}); // the same credentials: attached to a's connection
    expect(b.result.errors).toBeUndefined();
    await peer.join('#echo');
    peer.send('CAP REQ :server-time message-tags');
    await peer.waitFor(/ CAP \S+ ACK :/);
    const feeds = [a, b].map((s) => {
      const ws = wsClient(hub.wsUrl, s.token);
      closers.push(() => ws.dispose());
      return collect(ws, 'subscription { activities(platform: "irc") { type actor { id } target { id type } object { id type content json } published } }');
    });
    for (let i = 0; feeds.some((f) => !f.items.length) && i < 50; i++) { peer.send(`NOTICE jude :are you there ${i}`); await sleep(100); }
    await ok(hub.url, verb('join', 'type'), { input: { ...a.input.input, target: { id: `#echo@${server}`, type: 'room' } } }, a.token);
    const from = peer.lines.length;
    await ok(hub.url, verb('send', 'type'), { input: { ...a.input.input, target: { id: `#echo@${server}`, type: 'room' }, object: { type: 'message', content: 'echo me' } } }, a.token);
    await ok(hub.url, verb('send', 'type'), { input: { ...b.input.input, target: { id: `echopeer@${server}`, type: 'person' }, object: { type: 'message', content: 'echo me privately' } } }, b.token);
    const relayed = await peer.waitFor(/ PRIVMSG #echo :echo me$/, 5000, { from });
    const msgid = /(?:^@|;)msgid=([^; ]+)/.exec(relayed)?.[1];
    expect(msgid).toBeTruthy();
    await peer.waitFor(/ PRIVMSG echopeer :echo me privately$/, 5000, { from });
    const mine = (f: (typeof feeds)[number], content: string) => f.items.map((i) => i.activities).filter((x) => x.type === 'send' && x.object?.content === content);
    await eventually(() => feeds.every((f) => mine(f, 'echo me').length && mine(f, 'echo me privately').length), 5000, 20);
    await sleep(500);
    for (const f of feeds) {
      const [said, ...more] = mine(f, 'echo me');
      expect(more).toEqual([]);
      // the server's echo: its msgid and time
      expect(said).toMatchObject({ actor: { id: `jude@${server}` }, target: { id: `#echo@${server}` }, object: { id: msgid } });
      expect(said.published).toBe(said.object.json.tags.time);
      const [pm, ...pms] = mine(f, 'echo me privately');
      expect(pms).toEqual([]);
      expect(pm).toMatchObject({ actor: { id: `jude@${server}` }, target: { id: `echopeer@${server}`, type: 'person' } });
      expect(pm.object.id).toBeTruthy();
    }
    expect(peer.lines.slice(from).filter((l) => / PRIVMSG #echo :echo me$/.test(l))).toHaveLength(1);
    expect(peer.lines.slice(from).filter((l) => / PRIVMSG echopeer :echo me privately$/.test(l))).toHaveLength(1);
    await ok(hub.url, verb('disconnect', 'type'), a.input, a.token);
  });
});

describe('modes at join and user modes (inspircd)', () => {
  it("announces the channel's modes at join (RPL_CHANNELMODEIS) and changes of its own user modes", async () => {
    const server = v3.host;
    const [op, conn] = await Promise.all([connectRawIrc(server, v3.port, 'modeop'), connectWith('kit', v3, {})]);
    closers.push(() => op.close());
    expect(conn.result.errors).toBeUndefined();
    await op.join('#modes');
    op.send('MODE #modes +ml 10');
    await op.waitFor(/ MODE #modes \+ml :?10$/);
    const ws = wsClient(hub.wsUrl, conn.token);
    closers.push(() => ws.dispose());
    const feed = collect(ws, 'subscription { activities(platform: "irc") { type actor { id type } target { id type } object { type content json } } }');
    for (let i = 0; !feed.items.length && i < 50; i++) { op.send(`NOTICE kit :are you there ${i}`); await sleep(100); }
    const acts = () => feed.items.map((i) => i.activities);
    await ok(hub.url, verb('join', 'type'), { input: { ...conn.input.input, target: { id: `#modes@${server}`, type: 'room' } } }, conn.token);
    const current = await eventually(() => acts().find((a) => a.type === 'update' && a.object?.type === 'mode' && a.object.json.current), 5000, 20);
    expect(current).toMatchObject({ actor: { id: server, type: 'service' }, target: { id: `#modes@${server}` } });
    expect(current.object.json.modes).toEqual(expect.arrayContaining([{ mode: '+m' }, { mode: '+n' }, { mode: '+t' }, { mode: '+l', param: '10' }]));
    expect(current.object.content).toMatch(/^\+[lmnt]{4} 10$/);

    // an operator changes our user modes (SAMODE); we would see our own changes the same way
    op.send('OPER admin adminpass');
    await op.waitFor(/ 381 /);
    op.send('SAMODE kit +w');
    const umode = await eventually(() => acts().find((a) => a.type === 'update' && a.object?.type === 'mode' && a.target?.type === 'person'), 5000, 20);
    expect(umode).toMatchObject({ target: { id: `kit@${server}`, type: 'person' }, object: { content: '+w', json: expect.objectContaining({ mode: '+w' }) } });
    op.send('SAMODE kit -w');
    await eventually(() => acts().find((a) => a.type === 'update' && a.target?.type === 'person' && a.object?.content === '-w'), 5000, 20);
    await ok(hub.url, verb('disconnect', 'type'), conn.input, conn.token);
  });
});

describe('channel keys and non-role channel modes', () => {
  it('joins a keyed channel with target.extra.key (refused without it) and announces mode changes (inspircd)', async () => {
    const server = v3.host;
    const [keeper, conn] = await Promise.all([connectRawIrc(server, v3.port, 'keeper'), connectWith('frank', v3, {})]);
    closers.push(() => keeper.close());
    await keeper.join('#keyed');
    keeper.send('MODE #keyed +k sesame');
    await keeper.waitFor(/ MODE #keyed \+k :?sesame$/);

    const ws = wsClient(hub.wsUrl, conn.token);
    closers.push(() => ws.dispose());
    const feed = collect(ws, 'subscription { activities(platform: "irc") { type actor { id type } target { id } object { type content json } } }');
    for (let i = 0; !feed.items.length && i < 50; i++) { keeper.send(`NOTICE frank :are you there ${i}`); await sleep(100); }
    const join = (target: Record<string, unknown>) => gql(hub.url, verb('join', 'type'), { input: { ...conn.input.input, target: { id: `#keyed@${server}`, type: 'room', ...target } } }, conn.token);

    const refused = await join({});
    expect(errorCode(refused)).toBe('PLATFORM_ERROR');
    expect(refused.errors?.[0]?.message).toContain('475');
    const malformed = await join({ extra: { key: 'has space' } });
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    const from = keeper.lines.length;
    const joined = await join({ extra: { key: 'sesame' } });
    expect(joined.errors).toBeUndefined();
    await keeper.waitFor(/^:frank!\S+ JOIN :?#keyed$/, 5000, { from });

    keeper.send('MODE #keyed +m');
    keeper.send('MODE #keyed +b *!*@bad.example');
    keeper.send('MODE #keyed -k sesame');
    keeper.send('MODE #keyed +v frank');
    const modes = () => feed.items.map((i) => i.activities).filter((a) => a.type === 'update' && a.object?.type === 'mode' && !a.object.json.current);
    await eventually(() => modes().length >= 3, 5000, 20);
    expect(modes().map((a) => a.object.content)).toEqual(['+m', '+b *!*@bad.example', expect.stringMatching(/^-k/)]);
    expect(modes()[1]).toMatchObject({ actor: { id: `keeper@${server}`, type: 'person' }, target: { id: `#keyed@${server}` }, object: { json: { mode: '+b', param: '*!*@bad.example' } } });
    // a membership mode stays a presence update with the role
    const voiced = await eventually(() => feed.items.map((i) => i.activities).find((a) => a.object?.type === 'presence' && a.object.json.mode === '+v'), 5000, 20);
    expect(voiced.object.json.role).toBe('voice');
    await ok(hub.url, verb('disconnect', 'type'), conn.input, conn.token);
  });

  it('rejoins with the channel key after a lost connection, following a +k change (scripted server)', async () => {
    const { result, token, input } = await connectWith('gina', sasl, {});
    expect(result.errors).toBeUndefined();
    const chan = { id: `#keyed@${sasl.host}`, type: 'room', extra: { key: 'sesame' } };
    await ok(hub.url, verb('join', 'type'), { input: { ...input.input, target: chan } }, token);
    const first = sasl.clients.find((c) => c.nick === 'gina')!;
    expect(first.lines).toContain('JOIN #keyed sesame');
    // another operator changes the key while we are in: the rejoin presents the new one
    first.send(':op!op@127.0.0.1 MODE #keyed +k newkey');
    await sleep(100);
    sasl.dropClients();
    const again = await eventually(() => sasl.clients.find((c) => c !== first && c.nick === 'gina' && c.lines.some((l) => l.startsWith('JOIN'))), 10_000, 50);
    expect(again.lines.filter((l) => l.startsWith('JOIN'))).toEqual(['JOIN #keyed newkey']);
    await ok(hub.url, verb('disconnect', 'type'), input, token);
  });
});
