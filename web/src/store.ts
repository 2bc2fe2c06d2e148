// What this tab remembers across a reload, in sessionStorage next to the token: the newest
// cursor, the cursors already shown (so a replay never shows one twice) and the chat state of each page.
export interface Line {
  from: string;
  kind: 'message' | 'me' | 'notice' | 'event';
  text: string;
  published: string;
  restored?: boolean;
}

export interface Conversation {
  id: string;
  name: string;
  kind: 'room' | 'person';
  topic?: string;
  members: Record<string, { name: string; role?: string; presence?: string; status?: string }>;
  lines: Line[];
  unread?: number;
}

export interface ChatState {
  actor: string | null;
  connected: boolean;
  form: Record<string, string>;
  conversations: Record<string, Conversation>;
  current: string | null;
  contacts: Record<string, { name: string; presence?: string; status?: string; pending?: 'in' | 'out'; friend?: boolean }>;
}

export interface State {
  cursor: string | null;
  seen: string[];
  irc: ChatState;
  xmpp: ChatState;
}

const KEY = 'hubgraph.state';

function fresh(): State {
  const chat = (): ChatState => ({ actor: null, connected: false, form: {}, conversations: {}, current: null, contacts: {} });
  return { cursor: null, seen: [], irc: chat(), xmpp: chat() };
}

let state: State = load();

function load(): State {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw) return { ...fresh(), ...(JSON.parse(raw) as State) };
  } catch {
    /* a broken entry is dropped */
  }
  return fresh();
}

let pending = false;
function save(): void {
  if (pending) return;
  pending = true;
  queueMicrotask(() => {
    pending = false;
    sessionStorage.setItem(KEY, JSON.stringify(state));
  });
}

export const store = {
  get: (): State => state,
  update(f: (s: State) => void): void {
    f(state);
    save();
  },
  reset(): void {
    state = fresh();
    sessionStorage.setItem(KEY, JSON.stringify(state));
  },
};

/** The conversation with this id, created when new. */
export function conversation(chat: ChatState, id: string, name: string, kind: 'room' | 'person'): Conversation {
  return (chat.conversations[id] ??= { id, name, kind, members: {}, lines: [] });
}

export function addLine(c: Conversation, line: Line): void {
  c.lines.push(line);
  if (c.lines.length > 300) c.lines.splice(0, c.lines.length - 300);
}
