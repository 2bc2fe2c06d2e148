// The IRC platform's IRCv3 side through the public GraphQL API: SASL PLAIN against a scripted
// server (test/support/sasl-ircd.ts; inspircd's SASL needs a services daemon).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, type Hubgraph } from '../../test/support/hubgraph.js';
import { errorCode, gql, ok, openSession, verb } from '../../test/support/client.js';
import { startScriptedIrcd, type ScriptedIrcd } from '../../test/support/sasl-ircd.js';

const SET = 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }';

let hub: Hubgraph;
let sasl: ScriptedIrcd;
let plain: ScriptedIrcd;

beforeAll(async () => {
  [hub, sasl, plain] = await Promise.all([
    startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'irc' } }),
    startScriptedIrcd({ accounts: { carol: 'sesame' } }),
    startScriptedIrcd({ sasl: false }),
  ]);
});

afterAll(async () => {
  await hub?.stop();
  if (hub) await dropPrefix(hub.prefix);
  await sasl?.stop();
  await plain?.stop();
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
