// The IRC page: credentials and connect, join/leave, messages, the people in a channel with their
// roles, the topic, a nick change. Everything shown comes from inbound activities (own messages
// included: the gateway streams them too), so a reload rebuilds nothing by hand.
import type { Activity } from './api.js';
import { sdk } from './api.js';
import { $, el, fields, onSubmit, record, show } from './dom.js';
import { renderLines } from './chat.js';
import { addLine, conversation, store, type ChatState, type Conversation } from './store.js';
import type { App } from './main.js';

const ROLE_ORDER = ['owner', 'admin', 'operator', 'halfop', 'voice', 'member'];
const ROLE_SIGN: Record<string, string> = { owner: '~', admin: '&', operator: '@', halfop: '%', voice: '+', member: '' };

export function setupIrc(app: App): (a: Activity, replayed: boolean) => void {
  const chat = (): ChatState => store.get().irc;
  const server = () => chat().form.server ?? '';
  const actor = () => ({ id: chat().actor ?? '', type: 'person' });

  function render(): void {
    const c = chat();
    show('irc-connected', c.connected);
    show('irc-connect-button', !c.connected);
    // once connected, the form shrinks to its legend and the disconnect button
    $('irc-connect').classList.toggle('connected', c.connected);
    show('irc-disconnect-button', c.connected);
    $('irc-me').textContent = c.connected ? `Connected as ${c.form.nick} to ${c.form.server}` : '';
    const select = $<HTMLSelectElement>('irc-rooms');
    const ids = Object.keys(c.conversations);
    select.replaceChildren(...ids.map((id) => {
      const conv = c.conversations[id]!;
      return el('option', { value: id, textContent: conv.name + (conv.unread ? ` (${conv.unread})` : ''), selected: id === c.current });
    }));
    const conv = c.current ? c.conversations[c.current] : undefined;
    $('irc-topic').textContent = conv?.topic || '—';
    renderLines($('irc-messages'), conv);
    const members = Object.entries(conv?.members ?? {}).sort(([, a], [, b]) =>
      ROLE_ORDER.indexOf(a.role ?? 'member') - ROLE_ORDER.indexOf(b.role ?? 'member') || a.name.localeCompare(b.name));
    $('irc-members').replaceChildren(...members.map(([, m]) =>
      el('li', { textContent: `${ROLE_SIGN[m.role ?? 'member'] ?? ''}${m.name}`, title: m.role ?? 'member' })));
  }

  function open(id: string): void {
    store.update((s) => {
      s.irc.current = id;
      const conv = s.irc.conversations[id];
      if (conv) conv.unread = 0;
    });
    render();
  }

  // keep what was typed (not the password) so a reload shows the same form
  const restoreForm = () => {
    const f = chat().form;
    for (const name of ['nick', 'server', 'port']) if (f[name]) ($(`irc-${name}`) as HTMLInputElement).value = f[name]!;
    if (f.secure) $<HTMLInputElement>('irc-secure').checked = f.secure === 'true';
  };
  restoreForm();

  onSubmit('irc-connect', async (form) => {
    const f = fields(form);
    const secure = $<HTMLInputElement>('irc-secure').checked;
    const sasl = $<HTMLInputElement>('irc-sasl').checked;
    const id = `${f.nick}@${f.server}`;
    const credentials: Record<string, unknown> = { nick: f.nick, server: f.server, secure };
    if (f.port) credentials.port = Number(f.port);
    if (f.password) credentials.password = f.password;
    if (sasl) credentials.sasl = true;
    try {
      await app.api.mutate(sdk.SetCredentialsDocument, { platform: 'irc', actor: id, credentials });
    } catch (err) {
      app.alert(`setCredentials failed (${(err as { code?: string }).code}): ${(err as Error).message}`);
      throw err;
    }
    store.update((s) => {
      s.irc.actor = id;
      s.irc.form = { nick: f.nick!, server: f.server!, port: f.port ?? '', secure: String(secure) };
    });
    await app.verb('connect', { platform: 'irc', actor: { id, type: 'person' } });
    store.update((s) => { s.irc.connected = true; });
    render();
    $('irc-channel').focus();
  });

  $('irc-disconnect-button').addEventListener('click', () => {
    void app.verb('disconnect', { platform: 'irc', actor: actor() }).then(() => {
      store.update((s) => { s.irc.connected = false; });
      render();
    }, () => undefined);
  });

  onSubmit('irc-join', async (form) => {
    let channel = fields(form).channel!;
    if (!/^[#&+!]/.test(channel)) channel = `#${channel}`;
    const id = `${channel}@${server()}`;
    await app.verb('join', { platform: 'irc', actor: actor(), target: { id, type: 'room' } });
    store.update((s) => { conversation(s.irc, id, channel, 'room'); });
    open(id);
    form.reset();
    // who is there, with their roles
    const result = await app.verb('query', { platform: 'irc', actor: actor(), target: { id, type: 'room' }, object: { type: 'attendance' } });
    const members = record(result.object?.json).members;
    if (Array.isArray(members)) {
      store.update((s) => {
        const conv = conversation(s.irc, id, channel, 'room');
        for (const m of members) {
          const mm = record(m);
          conv.members[String(mm.id)] = { name: String(mm.name ?? mm.id), role: String(mm.role ?? 'member') };
        }
      });
      render();
    }
    $('irc-message').focus();
  });

  $('irc-rooms').addEventListener('change', () => open($<HTMLSelectElement>('irc-rooms').value));

  $('irc-leave').addEventListener('click', () => {
    const id = chat().current;
    const conv = id ? chat().conversations[id] : undefined;
    if (!id || !conv) return;
    const done = () => {
      store.update((s) => {
        delete s.irc.conversations[id];
        s.irc.current = Object.keys(s.irc.conversations)[0] ?? null;
      });
      render();
    };
    if (conv.kind === 'room') void app.verb('leave', { platform: 'irc', actor: actor(), target: { id, type: 'room' } }).then(done, () => undefined);
    else done();
  });

  onSubmit('irc-send', async (form) => {
    const id = chat().current;
    if (!id) {
      app.alert('Join a channel first');
      return;
    }
    const kind = chat().conversations[id]?.kind ?? 'room';
    await app.verb('send', { platform: 'irc', actor: actor(), target: { id, type: kind }, object: { type: 'message', content: fields(form).message! } });
    form.reset();
  });

  onSubmit('irc-topic-form', async (form) => {
    const id = chat().current;
    if (!id) return;
    await app.verb('update', { platform: 'irc', actor: actor(), target: { id, type: 'room' }, object: { type: 'topic', content: fields(form).topic ?? '' } });
    form.reset();
  });

  onSubmit('irc-nick-change', async (form) => {
    const nick = fields(form).nick!;
    await app.verb('update', { platform: 'irc', actor: actor(), target: { id: `${nick}@${server()}`, type: 'person' }, object: { type: 'address' } });
    store.update((s) => { s.irc.form.nick = nick; });
    form.reset();
    render();
  });

  render();

  return (a, replayed) => {
    if (a.platform !== 'irc') return;
    const o = record(a.object?.json);
    const who = a.actor.name ?? a.actor.id ?? '?';
    store.update((s) => {
      const c = s.irc;
      const here = (id: string | null | undefined): Conversation | undefined => (id ? c.conversations[id] : undefined);
      const event = (conv: Conversation | undefined, text: string) => conv && addLine(conv, { from: '', kind: 'event', text, published: a.published, restored: replayed });
      switch (a.type) {
        case 'send': {
          const toRoom = a.target?.type === 'room';
          const mine = a.actor.id === c.actor;
          const id = toRoom ? a.target!.id! : mine ? a.target?.id ?? '' : a.actor.id ?? '';
          const name = toRoom ? a.target!.name ?? id : mine ? a.target?.name ?? id : who;
          const conv = conversation(c, id, name, toRoom ? 'room' : 'person');
          const kind = a.object?.type === 'me' ? 'me' : a.object?.type === 'notice' ? 'notice' : 'message';
          addLine(conv, { from: who, kind, text: a.object?.content ?? '', published: a.published, restored: replayed });
          if (id !== c.current) conv.unread = (conv.unread ?? 0) + 1;
          c.current ??= id;
          break;
        }
        case 'join': {
          const conv = here(a.target?.id);
          if (conv && a.actor.id) conv.members[a.actor.id] ??= { name: who, role: 'member' };
          event(conv, `${who} joined`);
          break;
        }
        case 'leave': {
          const rooms = a.target?.type === 'service' ? Object.values(c.conversations) : [here(a.target?.id)];
          for (const conv of rooms) {
            if (!conv || !a.actor.id || !conv.members[a.actor.id]) continue;
            delete conv.members[a.actor.id];
            event(conv, `${who} left${a.object?.content ? ` (${a.object.content})` : ''}`);
          }
          break;
        }
        case 'update': {
          if (a.object?.type === 'topic') {
            const conv = here(a.target?.id);
            if (conv) conv.topic = a.object.content ?? '';
            event(conv, `${who} set the topic: ${a.object.content ?? ''}`);
          } else if (a.object?.type === 'address' && a.actor.id && a.target?.id) {
            const newName = a.target.name ?? a.target.id.split('@')[0]!;
            for (const conv of Object.values(c.conversations)) {
              const m = conv.members[a.actor.id];
              if (!m) continue;
              delete conv.members[a.actor.id];
              conv.members[a.target.id] = { ...m, name: newName };
              event(conv, `${who} is now known as ${newName}`);
            }
          } else if (a.object?.type === 'presence') {
            const conv = here(a.target?.id);
            if (conv && a.actor.id) conv.members[a.actor.id] = { ...conv.members[a.actor.id], name: who, role: String(o.role ?? 'member') };
          }
          break;
        }
        case 'error':
          app.alert(`IRC: ${a.object?.content ?? 'error'}`);
          break;
        case 'disconnect':
          $('irc-me').textContent = 'Connection to the server lost; the gateway reconnects by itself…';
          return;
        case 'connect':
          break;
      }
    });
    render();
  };
}
