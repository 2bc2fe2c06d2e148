// update: object.type `address` changes the nick to target.id (`newnick@server`), done when the
// server echoes our NICK, failed when it refuses (in use, invalid); later activities name us by
// the new nick, while mutations keep using the actor id the credentials were set for.
// object.type `topic` sets the topic of target.id (`#chan@server`) to object.content (empty
// clears it), done when the server echoes it. object.type `presence` marks us away (AWAY with
// object.content) unless object.presence is online or chat.
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import { type IrcState, isSelf, lower } from '../state.js';
import { channelOf, nickOf } from '../translate.js';
import { connected, singleLine, writeLines } from './write.js';

export async function update(state: IrcState, activity: ASActivity): Promise<ASActivity> {
  const obj = activity.object;
  switch (obj?.type) {
    case 'address': {
      const nick = nickOf(activity.target, state.server);
      if (isSelf(state, nick) && nick === state.nick) return activity;
      connected(state);
      const answered = state.pending.wait('nick', `NICK ${nick}`);
      state.client.changeNick(nick);
      await answered;
      return activity;
    }
    case 'topic': {
      const channel = channelOf(activity.target, state.server);
      const topic = singleLine(String(obj.content ?? ''), 'object.content');
      connected(state);
      const answered = state.pending.wait(`topic ${lower(state, channel)}`, `TOPIC ${channel}`);
      state.client.raw(`TOPIC ${channel} :${topic}`);
      await answered;
      return activity;
    }
    case 'presence': {
      const presence = String(obj.presence ?? 'online');
      const text = singleLine(String(obj.content ?? ''), 'object.content') || presence;
      await writeLines(state, [presence === 'online' || presence === 'chat' ? 'AWAY' : `AWAY :${text}`]);
      return activity;
    }
    default:
      throw new HubError('BAD_USER_INPUT', 'IRC update takes object.type "address" (nick change), "topic" or "presence"', { field: 'object.type' });
  }
}
