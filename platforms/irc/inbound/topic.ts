// TOPIC, RPL_TOPIC (332) + RPL_TOPICWHOTIME (333) → `update`: actor = who set it (the server when
// unknown), target = the channel, object `{type: "topic", content}`; `published` is when it was
// set, when the server says. On join the topic is held until 333 or the end of NAMES, so it is
// announced once, with its author.
import type { IrcEvent } from 'irc-framework';
import { type IrcState, isSelf, lower } from '../state.js';
import { type Line, inbound, person, room, service } from '../translate.js';

export function announceTopic(state: IrcState, channel: string, topic: string, nick?: string, from?: Line): void {
  const actor = nick ? person(nick, state.server) : service(state.server);
  state.ctx.emit(inbound('update', actor, room(channel, state.server), { type: 'topic', content: topic }, from));
}

export function onTopic(state: IrcState): void {
  state.client.on('topic', handleTopic, state);
  state.client.on('topicsetby', handleTopicSetBy, state);
}

function handleTopic(this: IrcState, e: IrcEvent): void {
  const state = this;
  const channel = String(e.channel ?? '');
  if (!channel) return;
  const topic = String(e.topic ?? '');
  const key = lower(state, channel);
  if (!e.nick) {
    // RPL_TOPIC / RPL_NOTOPIC while joining: wait for who set it
    const ch = state.channels.get(key);
    if (ch) ch.pendingTopic = topic;
    else announceTopic(state, channel, topic);
    return;
  }
  announceTopic(state, channel, topic, String(e.nick), e);
  if (isSelf(state, String(e.nick))) state.pending.resolve(`topic ${key}`);
}

function handleTopicSetBy(this: IrcState, e: IrcEvent): void {
  const state = this;
  const channel = String(e.channel ?? '');
  const ch = state.channels.get(lower(state, channel));
  if (!ch || ch.pendingTopic === undefined) return;
  const topic = ch.pendingTopic;
  delete ch.pendingTopic;
  const when = Number(e.when);
  announceTopic(state, channel, topic, e.nick ? String(e.nick) : undefined, Number.isFinite(when) && when > 0 ? { time: when * 1000 } : undefined);
}
