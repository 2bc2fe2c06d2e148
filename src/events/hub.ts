// API side of inbound events: reads the event stream of every session that has subscribers on
// this process and fans each entry out. Subscribers that share an operation and variables form a
// group: the entry is decrypted once, executed and serialized once per group, and the same bytes
// go to every socket in it. `since` replays from the stream, then joins live without gap or repeat.
import type { Redis } from 'ioredis';
import { HubError } from '../errors.js';
import { open } from '../crypto/keys.js';
import type { Keys } from '../redis/keys.js';
import type { Logger } from '../log.js';
import type { SessionStore } from '../session/store.js';
import { eventAad } from './publisher.js';
import { compareEntryIds, cursorOf, isAfter, parseCursor, type ActivitySource, type Cursor, type StreamEntry } from './stream-entry.js';
import { MAX_KEYS_PER_READER, StreamReader, type StreamTarget } from './stream-reader.js';
import type { Subscriber } from './subscriber.js';
import { subscriptions } from '../metrics.js';

export interface Filter {
  platform?: string | null;
  actor?: string | null;
}

export interface SubscribeRequest {
  sid: string;
  dek: Buffer;
  /** subscribers with the same group key share one execution per event */
  groupKey: string;
  filter: Filter;
  /** serializes the GraphQL payload of one activity for this group */
  render(source: ActivitySource): string;
  since?: string | null;
  subscriber: Subscriber;
}

interface Member {
  subscriber: Subscriber;
  /** removes the member from its group (idempotent) */
  leave(): void;
  /** entries that arrived live while this member was still replaying */
  held: ActivitySource[] | undefined;
  /** its `since`, until a live entry past it arrives: a cursor from another api process can be
   *  ahead of what this one has read, and what it covers must not be sent again */
  since: Cursor | undefined;
}

interface Group {
  key: string;
  filter: Filter;
  render(source: ActivitySource): string;
  members: Set<Member>;
}

const REPLAY_BATCH = 500;

class Tail implements StreamTarget {
  lastId = '0-0';
  readonly groups = new Map<string, Group>();
  ready: Promise<void> | undefined;
  reader: StreamReader | undefined;
  /** the session ended (closed marker, expiry, shutdown): not to be replaced by a fresh tail */
  ended = false;

  constructor(
    readonly key: string,
    readonly sid: string,
    readonly dek: Buffer,
    private readonly log: Logger,
    private readonly onClosed: () => void,
  ) {}

  /** The activities of one stream entry, with their cursors; 'closed' for the session's end marker. */
  decode(id: string, fields: string[]): ActivitySource[] | 'closed' {
    if (fields[0] === 'c') return 'closed';
    if (fields[0] !== 'a' || typeof fields[1] !== 'string') return [];
    try {
      const entry = JSON.parse(open(this.dek, fields[1], eventAad(this.sid)).toString('utf8')) as StreamEntry;
      return entry.a.map((doc, i) => ({ doc, cursor: cursorOf(id, i), via: entry.c }));
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'an event entry could not be decrypted; skipped');
      return [];
    }
  }

  deliver(entries: [string, string[]][]): void {
    for (const [id, fields] of entries) {
      const decoded = this.decode(id, fields);
      if (decoded === 'closed') return this.onClosed();
      for (const [i, source] of decoded.entries()) {
        for (const group of this.groups.values()) {
          if (!matches(group.filter, source)) continue;
          let payload: string | undefined;
          const render = () => (payload ??= group.render(source));
          for (const m of group.members) {
            if (m.since) {
              if (!isAfter(id, i, m.since)) continue;
              m.since = undefined; // entries come in stream order: the rest are past it too
            }
            if (m.held) m.held.push(source);
            else if (!m.subscriber.send(source, render)) m.leave();
          }
        }
      }
    }
  }
}

function matches(filter: Filter, source: ActivitySource): boolean {
  if (filter.platform && source.doc.platform !== filter.platform) return false;
  if (filter.actor && source.via !== filter.actor) return false;
  return true;
}

export class EventHub {
  private readonly tails = new Map<string, Tail>();
  private readonly readers: StreamReader[] = [];
  private readonly keepAlive: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly newReaderConnection: () => Redis,
    private readonly keys: Keys,
    private readonly sessions: SessionStore,
    private readonly log: Logger,
  ) {
    // a session with a live subscription is in use: keep it from idling out
    this.keepAlive = setInterval(() => void this.touchSessions(), Math.max(1000, sessions.ttlMs / 4));
    this.keepAlive.unref();
  }

  /** Registers a subscriber; resolves once it is attached (after replay when `since` is given). */
  async subscribe(req: SubscribeRequest): Promise<() => void> {
    const since = req.since != null ? parseCursor(req.since) : undefined;
    if (req.since != null && !since) {
      throw new HubError('BAD_USER_INPUT', 'since must be a cursor taken from an earlier Activity', { field: 'since' });
    }
    let tail: Tail;
    for (;;) {
      tail = await this.tailFor(req.sid, req.dek);
      // while we waited for it to be ready, the tail may have been dropped: its last member left
      // (then take a fresh one) or its session ended (then so does this subscription)
      if (this.tails.get(tail.key) === tail) break;
      if (tail.ended) {
        req.subscriber.end();
        return () => {};
      }
    }
    const t = tail;
    let group = t.groups.get(req.groupKey);
    if (!group) {
      group = { key: req.groupKey, filter: req.filter, render: req.render, members: new Set() };
      t.groups.set(req.groupKey, group);
    }
    const g = group;
    const member: Member = {
      subscriber: req.subscriber,
      held: since ? [] : undefined,
      since,
      leave: () => {
        if (!g.members.delete(member)) return;
        subscriptions.dec();
        if (g.members.size === 0 && t.groups.get(g.key) === g) t.groups.delete(g.key);
        if (t.groups.size === 0) this.dropTail(t);
      },
    };
    group.members.add(member);
    subscriptions.inc();
    if (since) {
      try {
        await this.replay(t, g, member, since, t.lastId);
      } catch (err) {
        // graphql-ws answers a failed subscribe with an error and forgets the operation: the
        // member must not stay behind, writing `next` frames for it
        member.leave();
        throw err;
      }
    }
    return member.leave;
  }

  async stop(): Promise<void> {
    clearInterval(this.keepAlive);
    for (const tail of this.tails.values()) this.endTail(tail);
    await Promise.all(this.readers.map((r) => r.stop()));
  }

  /** The session's tail, once it is ready; it may have been dropped meanwhile (see subscribe). */
  private async tailFor(sid: string, dek: Buffer): Promise<Tail> {
    const key = this.keys.events(sid);
    let tail = this.tails.get(key);
    if (!tail) {
      const t = new Tail(key, sid, dek, this.log, () => this.endTail(t));
      tail = t;
      this.tails.set(key, t);
      t.ready = (async () => {
        const last = (await this.redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
        t.lastId = last[0]?.[0] ?? '0-0';
        if (this.tails.get(key) !== t) return; // dropped meanwhile: no reader for it
        t.reader = this.readerWithRoom();
        t.reader.add(t);
      })();
    }
    const t = tail;
    try {
      await t.ready;
    } catch (err) {
      // not kept: the next subscriber of the session tries again
      if (this.tails.get(key) === t) this.tails.delete(key);
      throw err;
    }
    return t;
  }

  private readerWithRoom(): StreamReader {
    let reader = this.readers.find((r) => r.size < MAX_KEYS_PER_READER);
    if (!reader) {
      reader = new StreamReader(this.newReaderConnection(), this.redis, this.log);
      this.readers.push(reader);
    }
    return reader;
  }

  /** Sends what the stream holds after the cursor up to entry `until` to one member, then lets it go live. */
  private async replay(tail: Tail, group: Group, member: Member, since: Cursor, until: string): Promise<void> {
    // XRANGE's start: the cursor's entry at first, then "(<id>", just after the last entry read
    let from = since.entryId;
    // a cursor ahead of `until` (handed out by another api process) has nothing to replay here
    let more = compareEntryIds(since.entryId, until) <= 0;
    try {
      while (more && !member.subscriber.ended) {
        const batch = (await this.redis.xrange(tail.key, from, until, 'COUNT', REPLAY_BATCH)) as [string, string[]][];
        for (const [id, fields] of batch) {
          const decoded = tail.decode(id, fields);
          if (decoded === 'closed') { member.subscriber.end(); return; }
          for (const [i, source] of decoded.entries()) {
            if (id === since.entryId && i <= since.index) continue;
            if (!matches(group.filter, source)) continue;
            const later = member.subscriber.writable();
            if (later) await later;
            if (!member.subscriber.send(source, () => group.render(source))) return member.leave();
          }
        }
        more = batch.length === REPLAY_BATCH;
        if (more) from = `(${(batch[batch.length - 1] as [string, string[]])[0]}`;
      }
      // entries that arrive while these are paced join the same array, so the loop takes them too
      for (const held of member.held ?? []) {
        const later = member.subscriber.writable();
        if (later) await later;
        if (!member.subscriber.send(held, () => group.render(held))) return member.leave();
      }
    } finally {
      member.held = undefined;
    }
  }

  private dropTail(tail: Tail): void {
    // only this tail: a fresh one may have taken its key since
    if (this.tails.get(tail.key) === tail) this.tails.delete(tail.key);
    tail.reader?.remove(tail);
  }

  private endTail(tail: Tail): void {
    tail.ended = true;
    const members = [...tail.groups.values()].flatMap((g) => [...g.members]);
    for (const m of members) {
      m.leave();
      m.subscriber.end();
    }
    this.dropTail(tail);
  }

  private async touchSessions(): Promise<void> {
    for (const tail of [...this.tails.values()]) {
      try {
        if (await this.sessions.exists(tail.sid)) await this.sessions.touch(tail.sid, undefined, true);
        else this.endTail(tail);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'could not extend a subscribed session');
      }
    }
  }
}
