// Nothing secret in clear, anywhere hubgraph writes: after IRC traffic both ways (a server password,
// messages sent and received through a real ngircd), XMPP traffic both ways (an account password,
// chat with a plain client on a real Prosody) and dummy traffic, every Redis key of the
// deployment (sessions, credentials, BullMQ jobs, event streams, replies, leases, state) and every
// log line at the most verbose level hold neither the password, nor the token, nor a message body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, type Hubgraph } from './support/hubgraph.js';
import { dumpPrefix } from './support/redis-dump.js';
import { collect, eventually, ok, openSession, wsClient } from './support/client.js';
import { startNgircd, stopAllIrc, type Ngircd } from './support/ngircd.js';
import { connectRawIrc, type RawIrc } from './support/raw-irc.js';
import { startProsody, stopAllProsody, type Prosody } from './support/prosody.js';
import { client, xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';

const PASSWORD = 'pw-7c1e9b-unguessable';
const OUT_BODY = 'outbound-body-5f2a';
const IN_BODY = 'inbound-body-9d3c';
const SET = 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }';

let ircd: Ngircd;
let hub: Hubgraph;
let outsider: RawIrc;
let xmppd: Prosody;

beforeAll(async () => {
  [ircd, hub, xmppd] = await Promise.all([
    startNgircd({ password: PASSWORD }),
    startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'irc,xmpp,dummy', LOG_LEVEL: 'trace' } }),
    startProsody({ accounts: { vic: PASSWORD, pal: 'palpass' } }),
  ]);
  outsider = await connectRawIrc(ircd.host, ircd.port, 'peer', 5000, PASSWORD);
  await outsider.join('#vault');
});

afterAll(async () => {
  outsider?.close();
  await hub?.stop();
  if (hub) await dropPrefix(hub.prefix);
  await stopAllIrc();
  await stopAllProsody();
});

describe('secrets at rest and in logs', () => {
  it('after IRC and dummy traffic, no Redis key or value and no log line holds a password, token or message body', async () => {
    const token = await openSession(hub.url);
    const me = { id: `vic@${ircd.host}`, type: 'person' };
    await ok(hub.url, SET, { p: 'irc', a: me.id, c: { nick: 'vic', server: ircd.host, port: ircd.port, secure: false, password: PASSWORD } }, token);
    await ok(hub.url, SET, { p: 'dummy', a: 'vic@dummy', c: { name: 'vic', secret: PASSWORD } }, token);
    const ws = wsClient(hub.wsUrl, token);
    const feed = collect(ws, 'subscription { activities { type object { content } } }');
    try {
      await ok(hub.url, 'mutation($i: ActivityInput!) { connect(input: $i) { id } }', { i: { platform: 'irc', actor: me } }, token);
      await ok(hub.url, 'mutation($i: ActivityInput!) { join(input: $i) { id } }', { i: { platform: 'irc', actor: me, target: { id: `#vault@${ircd.host}`, type: 'room' } } }, token);
      await ok(hub.url, 'mutation($i: ActivityInput!) { send(input: $i) { id } }', { i: { platform: 'irc', actor: me, target: { id: `#vault@${ircd.host}`, type: 'room' }, object: { type: 'message', content: OUT_BODY } } }, token);
      await outsider.waitFor(new RegExp(`PRIVMSG #vault :${OUT_BODY}`));
      outsider.privmsg('#vault', IN_BODY);
      await eventually(() => feed.items.find((i) => i.activities.object?.content === IN_BODY), 5000, 20);
      await ok(hub.url, 'mutation($i: ActivityInput!) { connect(input: $i) { id } }', { i: { platform: 'dummy', actor: { id: 'vic@dummy', type: 'person' } } }, token);
      await ok(hub.url, 'mutation($i: ActivityInput!) { send(input: $i) { id } }', { i: { platform: 'dummy', actor: { id: 'vic@dummy', type: 'person' }, object: { type: 'message', content: OUT_BODY } } }, token);
      await eventually(() => feed.items.filter((i) => i.activities.object?.content === OUT_BODY).length >= 1, 5000, 20);

      // XMPP: the account's password, a chat message each way with a plain client
      const pal = client({ service: `xmpp://${xmppd.host}:${xmppd.port}`, domain: xmppd.domain, username: 'pal', password: 'palpass', resource: 'plain' });
      const got: Element[] = [];
      pal.on('stanza', (st: Element) => got.push(st));
      pal.on('error', () => undefined);
      await pal.start();
      try {
        const jid = { id: `vic@${xmppd.domain}`, type: 'person' };
        await ok(hub.url, SET, { p: 'xmpp', a: jid.id, c: { userAddress: jid.id, password: PASSWORD, resource: 'hub', server: xmppd.host, port: xmppd.port } }, token);
        await ok(hub.url, 'mutation($i: ActivityInput!) { connect(input: $i) { id } }', { i: { platform: 'xmpp', actor: jid } }, token);
        await ok(hub.url, 'mutation($i: ActivityInput!) { send(input: $i) { id } }', { i: { platform: 'xmpp', actor: jid, target: { id: `pal@${xmppd.domain}/plain`, type: 'person' }, object: { type: 'message', content: `${OUT_BODY}-x` } } }, token);
        await eventually(() => got.find((st) => st.is('message') && st.getChildText('body') === `${OUT_BODY}-x`), 5000, 20);
        await pal.send(xml('message', { to: `vic@${xmppd.domain}/hub`, type: 'chat' }, xml('body', {}, `${IN_BODY}-x`)));
        await eventually(() => feed.items.find((i) => i.activities.object?.content === `${IN_BODY}-x`), 5000, 20);
      } finally {
        pal.reconnect.stop();
        await pal.stop().catch(() => undefined);
      }
    } finally {
      await ws.dispose();
    }
    await new Promise((r) => setTimeout(r, 300)); // the last log lines are flushed

    const dump = await dumpPrefix(hub.prefix);
    expect(dump.length).toBeGreaterThan(1000);
    const logs = hub.stderr.join('');
    expect(logs.length).toBeGreaterThan(1000); // trace level wrote plenty
    for (const secret of [PASSWORD, token, OUT_BODY, IN_BODY]) {
      expect(dump.includes(secret), `Redis holds ${secret}`).toBe(false);
      expect(logs.includes(secret), `the logs hold ${secret}`).toBe(false);
    }
  }, 30_000);
});
