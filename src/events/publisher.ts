// Worker side of inbound events: an activity of a connection is appended, sealed with each
// session's data key, to the event stream of every live session attached to that connection.
// One Lua call per event keeps the per-connection order and skips sessions that expired.
import type { Redis } from 'ioredis';
import { sealJson } from '../crypto/keys.js';
import type { Keys } from '../redis/keys.js';
import type { DataKeys } from '../session/data-keys.js';
import type { ASActivity } from '../platform/types.js';
import { completeActivity } from '../activity/from-input.js';
import type { Logger } from '../log.js';
import type { StreamBody } from './stream-entry.js';

// KEYS: per session, its hash key then its stream key. ARGV: minId, ttl ms, then one body per session.
const PUBLISH = `
local out = {}
for i = 1, #KEYS, 2 do
  local body = ARGV[2 + (i + 1) / 2]
  if redis.call('EXISTS', KEYS[i]) == 1 then
    out[#out + 1] = redis.call('XADD', KEYS[i + 1], 'MINID', '~', ARGV[1], '*', 'a', body)
    redis.call('PEXPIRE', KEYS[i + 1], ARGV[2])
  else
    out[#out + 1] = false
  end
end
return out`;

export const eventAad = (sid: string) => `event\n${sid}`;

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

  /** Appends the activity to each session's stream; returns the session ids that no longer exist. */
  async publish(platform: string, connectionActor: string, sessionIds: Iterable<string>, activity: ASActivity): Promise<string[]> {
    const body: StreamBody = { a: completeActivity(activity, platform), c: connectionActor };
    const keys: string[] = [];
    const bodies: string[] = [];
    const sids: string[] = [];
    const gone: string[] = [];
    for (const sid of sessionIds) {
      const dek = this.dataKeys.peek(sid) ?? (await this.dataKeys.get(sid));
      if (!dek) { gone.push(sid); continue; }
      sids.push(sid);
      keys.push(this.keys.session(sid), this.keys.events(sid));
      bodies.push(sealJson(dek, body, eventAad(sid)));
    }
    if (!sids.length) return gone;
    const minId = `${Date.now() - this.ttlMs}-0`;
    try {
      const ids = (await (this.redis as unknown as { hubgraphPublish(n: number, ...a: string[]): Promise<(string | null)[]> }).hubgraphPublish(
        keys.length, ...keys, minId, String(this.ttlMs), ...bodies,
      ));
      ids.forEach((id, i) => { if (!id) gone.push(sids[i] as string); });
    } catch (err) {
      this.log.error({ err: (err as Error).message, platform }, 'could not publish an inbound activity');
    }
    return gone;
  }
}
