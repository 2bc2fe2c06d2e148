// The guarded fetcher every platform uses: what it refuses, and the caps it keeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressGuard } from '../src/net/address-guard.js';
import { SafeFetcher } from '../src/net/safe-fetch.js';
import type { NetPolicy } from '../src/net/policy.js';
import { HubError } from '../src/errors.js';
import { serve, startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const policy = (over: Partial<NetPolicy> = {}): NetPolicy => ({
  allowPrivateAddresses: false,
  allowedAddresses: ['127.0.0.1/32'],
  maxBytes: 64 * 1024,
  timeoutMs: 1500,
  maxRedirects: 3,
  schemes: ['http', 'https'],
  cacheSeconds: 0,
  ...over,
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof HubError ? err.code : `not a HubError: ${String(err)}`;
  }
}

let fx: FixtureServer;
const fetcher = new SafeFetcher(policy());
beforeAll(async () => {
  fx = await startFixtureServer({
    '/ok': serve('hello', { 'content-type': 'text/plain' }),
    '/hop1': (_q, r) => r.writeHead(302, { location: '/hop2' }).end(),
    '/hop2': (_q, r) => r.writeHead(301, { location: '/ok' }).end(),
    '/loop': (_q, r) => r.writeHead(302, { location: '/loop' }).end(),
    '/to-private': (_q, r) => r.writeHead(302, { location: `http://127.0.0.2:${new URL(fx.origin).port}/ok` }).end(),
    '/to-metadata': (_q, r) => r.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    '/to-file': (_q, r) => r.writeHead(302, { location: 'file:///etc/passwd' }).end(),
    '/big': (_q, r) => {
      // no content-length: the cap must hold while streaming
      r.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      let n = 0;
      const push = () => { while (n++ < 100) if (!r.write(chunk)) return r.once('drain', push); r.end(); };
      push();
    },
    '/declared-big': (_q, r) => r.writeHead(200, { 'content-length': String(10 * 1024 * 1024) }).end(),
    '/never': (_q, r) => { r.writeHead(200, { 'content-type': 'text/html' }); r.write('<html>'); },
    '/latin1': serve(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><t>caf\xe9 \x80</t>', 'latin1'), { 'content-type': 'application/xml' }),
    '/cp1252-header': serve(Buffer.from('caf\xe9 \x80', 'latin1'), { 'content-type': 'text/plain; charset=windows-1252' }),
    '/meta': (_q, r) => {
      // the head arrives first; the body follows later, and need not be read
      r.writeHead(200, { 'content-type': 'text/html' });
      r.write(Buffer.from('<html><head><meta charset="iso-8859-1"><title>\xe9t\xe9</title></he', 'latin1'));
      setTimeout(() => r.write('ad><body>'), 20);
      setTimeout(() => r.end('x'.repeat(50_000) + '</body></html>'), 200);
    },
    '/missing': serve('nope', {}, 404),
  });
});
afterAll(async () => { await fx.close(); await fetcher.close(); });

describe('address guard', () => {
  const guard = new AddressGuard({ allowPrivateAddresses: false, allowedAddresses: [] });
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
  ])('refuses %s', (ip) => {
    expect(() => guard.check(ip)).toThrowError(expect.objectContaining({ code: 'FORBIDDEN_ADDRESS' }));
  });
  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('lets public %s through', (ip) => {
    expect(() => guard.check(ip)).not.toThrow();
  });
  it('lets listed CIDRs and, when allowed, every private address through', () => {
    expect(() => new AddressGuard({ allowPrivateAddresses: false, allowedAddresses: ['10.0.0.0/8'] }).check('10.9.9.9')).not.toThrow();
    expect(() => new AddressGuard({ allowPrivateAddresses: true, allowedAddresses: [] }).check('127.0.0.1')).not.toThrow();
  });
});

describe('safe fetcher', () => {
  it('fetches and follows redirects, reporting the final URL', async () => {
    const r = await fetcher.fetch(fx.url('/hop1'));
    expect(r.url).toBe(fx.url('/ok'));
    expect(r.text().text).toBe('hello');
  });

  it('refuses a redirect to a private address before connecting', async () => {
    const before = fx.hits.get('/ok') ?? 0;
    expect(await code(fetcher.fetch(fx.url('/to-private')))).toBe('FORBIDDEN_ADDRESS');
    expect(await code(fetcher.fetch(fx.url('/to-metadata')))).toBe('FORBIDDEN_ADDRESS');
    expect(fx.hits.get('/ok') ?? 0).toBe(before);
  });

  it('checks host names after DNS resolution', async () => {
    const strict = new SafeFetcher(policy({ allowedAddresses: [] }));
    const port = new URL(fx.origin).port;
    const err = await strict.fetch(`http://localhost:${port}/ok`).catch((e: HubError) => e);
    expect(err).toMatchObject({ code: 'FORBIDDEN_ADDRESS' });
    expect((err as HubError).message).toMatch(/localhost.*127\.0\.0\.1|loopback/);
    await strict.close();
  });

  it('refuses schemes other than http and https, also on a redirect', async () => {
    expect(await code(fetcher.fetch('file:///etc/passwd'))).toBe('BAD_USER_INPUT');
    expect(await code(fetcher.fetch('gopher://example.org/'))).toBe('BAD_USER_INPUT');
    expect(await code(fetcher.fetch(fx.url('/to-file')))).toBe('FORBIDDEN_ADDRESS');
    expect(await code(fetcher.fetch('not a url'))).toBe('BAD_USER_INPUT');
  });

  it('stops after the redirect limit', async () => {
    const err = await fetcher.fetch(fx.url('/loop')).catch((e: HubError) => e);
    expect(err).toMatchObject({ code: 'PLATFORM_ERROR', message: expect.stringContaining('redirected more than 3 times') });
    expect(fx.hits.get('/loop')).toBe(4);
  });

  it('caps the body size while streaming and by the declared length', async () => {
    expect(await fetcher.fetch(fx.url('/big')).catch((e: HubError) => e.message)).toContain('larger than 65536 bytes');
    expect(await fetcher.fetch(fx.url('/declared-big')).catch((e: HubError) => e.message)).toContain('larger than 65536 bytes');
  });

  it('gives up on a server that never finishes with TIMEOUT', async () => {
    const started = Date.now();
    expect(await code(fetcher.fetch(fx.url('/never')))).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('turns an HTTP error status into PLATFORM_ERROR naming it', async () => {
    expect(await fetcher.fetch(fx.url('/missing')).catch((e: HubError) => e.message)).toContain('HTTP 404');
  });

  it('decodes the character set from the header, the XML prolog or the HTML meta', async () => {
    expect((await fetcher.fetch(fx.url('/latin1'))).text()).toEqual({ text: expect.stringContaining('café €'), charset: 'windows-1252' });
    expect((await fetcher.fetch(fx.url('/cp1252-header'))).text()).toEqual({ text: 'café €', charset: 'windows-1252' });
    const page = await fetcher.fetch(fx.url('/meta'), { stopAfter: '</head>' });
    expect(page.truncated).toBe(true);
    expect(page.body.length).toBeLessThan(50_000);
    expect(page.text().text).toContain('<title>été</title>');
    expect(page.text().text.endsWith('</head>')).toBe(true);
  });
});
