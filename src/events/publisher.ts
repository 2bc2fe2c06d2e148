// Worker side of inbound events: activities of a connection are appended, sealed with each
// session's data key, to the event stream of every live session attached to that connection.
// Events that pile up while a write is in flight travel together: one stream entry holds a batch
// (one seal, one XADD, one round trip), and a cursor names an entry and a position inside it.
import type { Redis } from 'ioredis';
import { seal } from '../crypto/keys.js';
import type { Keys } from '../redis/keys.js';
import type { DataKeys } from '../session/data-keys.js';
import type { ASActivity } from '../platform/types.js';
import { completeActivity } from '../activity/from-input.js';
import type { Logger } from '../log.js';
import type { StreamEntry } from './stream-entry.js';

// KEYS: per session, its hash key then its stream key. ARGV: minId, ttl ms, then one body per session.
const PUBLISH = `
local gone = {}
for s = 1, #KEYS / 2 do
  local hash, stream = KEYS[2 * s - 1], KEYS[2 * s]
  if redis.call('EXISTS', hash) == 1 then
    redis.call('XADD', stream, 'MINID', '~', ARGV[1], '*', 'a', ARGV[2 + s])
    redis.call('PEXPIRE', stream, ARGV[2])
  else
    gone[#gone + 1] = s
  end
end
return gone`;

/** Publishing stopped part-way: the first `published` activities are in the streams, the rest are not. */
export class PublishError extends Error {
  constructor(message: string, readonly published: number) {
    super(message);
    this.name = 'PublishError';
  }
}

export const eventAad = (sid: string) => `event\n${sid}`;

const MAX_BATCH = 256;

export class EventPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly dataKeys: DataKeys,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {
    redis.defineCommand('hubgraphPublish', { lua: PUBLISH });
  }

  /**
   * Appends the activities, in order, to each session's stream; returns the session ids that no
   * longer exist. Throws PublishError (saying how many got through) when Redis fails.
   */
  async publish(platform: string, connectionActor: string, sessionIds: Iterable<string>, activities: ASActivity[]): Promise<string[]> {
    const gone: string[] = [];
    const sids: string[] = [];
    const deks: Buffer[] = [];
    for (const sid of sessionIds) {
      const dek = this.dataKeys.peek(sid) ?? (await this.dataKeys.get(sid));
      if (dek) { sids.push(sid); deks.push(dek); } else gone.push(sid);
    }
    if (!sids.length) return gone;
    const minId = `${Date.now() - this.ttlMs}-0`;
    for (let start = 0; start < activities.length; start += MAX_BATCH) {
      const entry: StreamEntry = { c: connectionActor, a: activities.slice(start, start + MAX_BATCH).map((a) => completeActivity(a, platform)) };
      const json = JSON.stringify(entry);
      const keys: string[] = [];
      const bodies: string[] = [];
      sids.forEach((sid, i) => {
        keys.push(this.keys.session(sid), this.keys.events(sid));
        bodies.push(seal(deks[i] as Buffer, json, eventAad(sid)));
      });
      let missing: number[];
      try {
        missing = await (this.redis as unknown as { hubgraphPublish(n: number, ...a: (string | number)[]): Promise<number[]> }).hubgraphPublish(
          keys.length, ...keys, minId, this.ttlMs, ...bodies,
        );
      } catch (err) {
        // the caller keeps what was not published and tries again (Redis away)
        throw new PublishError((err as Error).message, start);
      }
      for (const s of missing) gone.push(sids[s - 1] as string);
    }
    return gone;
  }
}
