// The XMPP page: account and connect, our presence, contacts with friend requests (send, accept,
// remove), one-to-one chat and rooms. Contacts come from the roster (`update` with object type
// `contact`), presence and subscription activities; a one-to-one message we send is shown from the
// mutation's result (XMPP does not echo it), a room message from the room's reflection.
import type { Activity } from './api.js';
import { sdk } from './api.js';
import { $, el, fields, onSubmit, record, show } from './dom.js';
import { renderLines } from './chat.js';
import { addLine, conversation, store, type ChatState } from './store.js';
import type { App } from './main.js';

const bare = (jid: string) => jid.split('/')[0]!;

export function setupXmpp(app: App): (a: Activity, replayed: boolean) => void {
  const chat = (): ChatState => store.get().xmpp;
  const actor = () => ({ id: chat().actor ?? '', type: 'person' });
  show('xmpp-missing', !app.platforms.has('xmpp'));

  function render(): void {
    const c = chat();
    show('xmpp-connected', c.connected);
    show('xmpp-connect-button', !c.connected);
    // once connected, the form shrinks to its legend and the disconnect button
    $('xmpp-connect').classList.toggle('connected', c.connected);
    show('xmpp-disconnect-button', c.connected);
    $('xmpp-me').textContent = c.connected ? `Online as ${c.actor}` : '';
    const items: HTMLElement[] = [];
    for (const [jid, contact] of Object.entries(c.contacts)) {
      const conv = c.conversations[jid];
      const label = `${contact.name || jid}${contact.presence ? ` (${contact.presence}${contact.status ? `: ${contact.status}` : ''})` : ''}${conv?.unread ? ` · ${conv.unread} new` : ''}`;
      const li = el('li', { className: jid === c.current ? 'current' : '' },
        el('button', { type: 'button', className: 'link', textContent: label, onclick: () => open(jid, contact.name || jid, 'person') }));
      if (contact.pending === 'in') {
        li.append(' ', el('button', { type: 'button', textContent: `Accept ${jid}`, onclick: () => void friend('makeFriend', jid) }));
      } else if (contact.pending === 'out') {
        li.append(' ', el('span', { className: 'badge', textContent: 'request sent' }));
      }
      li.append(' ', el('button', { type: 'button', textContent: 'Remove', ariaLabel: `Remove ${jid}`, onclick: () => void friend('removeFriend', jid) }));
      items.push(li);
    }
    for (const conv of Object.values(c.conversations)) {
      if (conv.kind !== 'room') continue;
      items.push(el('li', { className: conv.id === c.current ? 'current' : '' },
        el('button', { type: 'button', className: 'link', textContent: `${conv.name} (room${conv.unread ? ` · ${conv.unread} new` : ''})`, onclick: () => open(conv.id, conv.name, 'room') })));
    }
    $('xmpp-contacts').replaceChildren(...items);
    const conv = c.current ? c.conversations[c.current] : undefined;
    $('xmpp-with').textContent = conv ? `${conv.kind === 'room' ? 'Room' : 'Chat with'} ${conv.name}` : 'No conversation selected';
    renderLines($('xmpp-messages'), conv);
  }

  function open(id: string, name: string, kind: 'room' | 'person'): void {
    store.update((s) => {
      const conv = conversation(s.xmpp, id, name, kind);
      conv.unread = 0;
      s.xmpp.current = id;
    });
    render();
    $('xmpp-message').focus();
  }

  async function friend(verb: 'makeFriend' | 'removeFriend' | 'requestFriend', jid: string): Promise<void> {
    await app.verb(verb, { platform: 'xmpp', actor: actor(), target: { id: jid, type: 'person' } });
    store.update((s) => {
      if (verb === 'removeFriend') {
        delete s.xmpp.contacts[jid];
        return;
      }
      const contact = (s.xmpp.contacts[jid] ??= { name: jid });
      contact.pending = verb === 'requestFriend' ? 'out' : undefined;
      if (verb === 'makeFriend') contact.friend = true;
    });
    render();
  }

  onSubmit('xmpp-connect', async (form) => {
    const f = fields(form);
    const credentials: Record<string, unknown> = { userAddress: f.userAddress, password: f.password, resource: f.resource };
    if (f.server) credentials.server = f.server;
    if (f.port) credentials.port = Number(f.port);
    try {
      await app.api.mutate(sdk.SetCredentialsDocument, { platform: 'xmpp', actor: f.userAddress!, credentials });
    } catch (err) {
      app.alert(`setCredentials failed (${(err as { code?: string }).code}): ${(err as Error).message}`);
      throw err;
    }
    store.update((s) => {
      s.xmpp.actor = f.userAddress!;
      s.xmpp.form = { userAddress: f.userAddress!, resource: f.resource!, server: f.server ?? '', port: f.port ?? '' };
    });
    await app.verb('connect', { platform: 'xmpp', actor: actor() });
    store.update((s) => { s.xmpp.connected = true; });
    render();
  });

  $('xmpp-disconnect-button').addEventListener('click', () => {
    void app.verb('disconnect', { platform: 'xmpp', actor: actor() }).then(() => {
      store.update((s) => { s.xmpp.connected = false; });
      render();
    }, () => undefined);
  });

  onSubmit('xmpp-presence', async (form) => {
    const f = fields(form);
    await app.verb('update', { platform: 'xmpp', actor: actor(), object: { type: 'presence', content: f.status ?? '', extra: { presence: f.presence } } });
  });

  onSubmit('xmpp-add', async (form) => {
    await friend('requestFriend', fields(form).contact!);
    form.reset();
  });

  onSubmit('xmpp-room', async (form) => {
    const f = fields(form);
    const room = f.room!;
    await app.verb('join', { platform: 'xmpp', actor: { ...actor(), ...(f.nick ? { name: f.nick } : {}) }, target: { id: room, type: 'room' } });
    open(room, room.split('@')[0]!, 'room');
    form.reset();
  });

  onSubmit('xmpp-send', async (form) => {
    const id = chat().current;
    if (!id) {
      app.alert('Pick a contact or a room first');
      return;
    }
    const kind = chat().conversations[id]?.kind ?? 'person';
    const result = await app.verb('send', { platform: 'xmpp', actor: actor(), target: { id, type: kind }, object: { type: 'message', content: fields(form).message! } });
    if (kind === 'person') {
      store.update((s) => addLine(conversation(s.xmpp, id, id, 'person'), { from: 'me', kind: 'message', text: result.object?.content ?? '', published: result.published }));
      render();
    }
    form.reset();
  });

  const f = chat().form;
  for (const [name, id] of [['userAddress', 'xmpp-address'], ['resource', 'xmpp-resource'], ['server', 'xmpp-server'], ['port', 'xmpp-port']] as const) {
    if (f[name]) $<HTMLInputElement>(id).value = f[name]!;
  }
  render();

  return (a, replayed) => {
    if (a.platform !== 'xmpp') return;
    const o = record(a.object?.json);
    store.update((s) => {
      const c = s.xmpp;
      const from = a.actor.id ?? '';
      switch (a.type) {
        case 'send': {
          if (a.object?.type !== 'message') break;
          const toRoom = a.target?.type === 'room';
          const id = toRoom ? a.target!.id! : bare(from) === c.actor ? bare(a.target?.id ?? '') : bare(from);
          const conv = conversation(c, id, toRoom ? a.target!.name ?? id : c.contacts[id]?.name || id, toRoom ? 'room' : 'person');
          addLine(conv, { from: a.actor.name ?? from, kind: 'message', text: a.object.content ?? '', published: a.published, restored: replayed });
          if (!toRoom) c.contacts[id] ??= { name: id };
          if (id !== c.current) conv.unread = (conv.unread ?? 0) + 1;
          break;
        }
        case 'update': {
          if (a.object?.type === 'contact') {
            if (o.subscription === 'remove') delete c.contacts[from];
            else c.contacts[from] = { ...c.contacts[from], name: String(o.name ?? c.contacts[from]?.name ?? from), friend: o.subscription === 'both', pending: o.ask ? 'out' : c.contacts[from]?.pending };
          } else if (a.object?.type === 'presence' && a.target?.type === 'room') {
            const conv = c.conversations[a.target.id ?? ''];
            if (conv) conv.members[from] = { name: a.actor.name ?? from, presence: String(o.presence ?? ''), role: String(o.role ?? '') };
          } else if (a.object?.type === 'presence' && bare(from) !== c.actor) {
            const jid = bare(from);
            c.contacts[jid] = { ...c.contacts[jid], name: c.contacts[jid]?.name ?? jid, presence: String(o.presence ?? 'online'), status: a.object.content ?? '' };
          } else if (a.object?.type === 'topic' && a.target?.id) {
            const conv = c.conversations[a.target.id];
            if (conv) {
              conv.topic = a.object.content ?? '';
              addLine(conv, { from: '', kind: 'event', text: `Subject: ${conv.topic}`, published: a.published, restored: replayed });
            }
          }
          break;
        }
        case 'request-friend':
          c.contacts[bare(from)] = { ...c.contacts[bare(from)], name: c.contacts[bare(from)]?.name ?? bare(from), pending: 'in' };
          break;
        case 'make-friend':
          c.contacts[bare(from)] = { ...c.contacts[bare(from)], name: c.contacts[bare(from)]?.name ?? bare(from), pending: undefined, friend: true };
          break;
        case 'remove-friend':
          if (c.contacts[bare(from)]) c.contacts[bare(from)]!.friend = false;
          break;
        case 'join':
        case 'leave': {
          const conv = c.conversations[a.target?.id ?? ''];
          if (conv) addLine(conv, { from: '', kind: 'event', text: `${a.actor.name ?? from} ${a.type === 'join' ? 'joined' : 'left'}`, published: a.published, restored: replayed });
          break;
        }
        case 'error':
          app.alert(`XMPP: ${a.object?.content ?? 'error'}`);
          break;
      }
    });
    render();
  };
}
