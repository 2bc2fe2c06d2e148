// Server errors → `error` activities that name the verb that failed and why: object
// `{type: "error", content, verb, numeric, subject}`. The verb is the one waiting for the subject
// (a join, leave, topic or attendance query of that channel, a nick change), else the one the
// numeric belongs to. A waiting verb fails with PLATFORM_ERROR and the same text. During
// registration the error fails `connect` instead (nick in use, bad password, banned).
// Read from the raw protocol (every 4xx/5xx numeric and ERROR), not irc-framework's events,
// because it reports only some numerics as errors (403 "no such channel" is not one of them).
import { HubError } from '../../../src/errors.js';
import type { IrcEvent } from 'irc-framework';
import { type IrcState, lower } from '../state.js';
import { inbound, isChannel, person, room, service } from '../translate.js';

/** Numerics ≥ 400 that are not failures. */
const NOT_ERRORS = new Set(['422']); // ERR_NOMOTD

const NICK_ERRORS = new Set(['431', '432', '433', '436', '437']);
const JOIN_ERRORS = new Set(['405', '471', '473', '474', '475', '476', '477']);
const SEND_ERRORS = new Set(['401', '404', '407', '411', '412']);
const CONNECT_ERRORS = new Set(['451', '464', '465']);

/** Which pending verb a channel error answers, in the order they are asked. */
const CHANNEL_WAITERS: [string, string][] = [['join', 'join'], ['part', 'leave'], ['topic', 'update'], ['names', 'query']];

export function reportError(state: IrcState, verb: string, content: string, details: Record<string, unknown>, subject?: string): void {
  const target = subject && isChannel(subject) ? room(subject, state.server) : subject && verb === 'send' ? person(subject, state.server) : service(state.server);
  state.ctx.emit(inbound('error', person(state.nick, state.server), target, { type: 'error', content, verb, ...details }));
}

export function onErrors(state: IrcState): void {
  state.client.connection.on('message', handleLine, state);
}

function handleLine(this: IrcState, msg: IrcEvent): void {
  const state = this;
  const command = String(msg.command ?? '');
  const params: string[] = Array.isArray(msg.params) ? msg.params.map(String) : [];
  if (command === 'ERROR') {
    const reason = params[params.length - 1] ?? 'the server closed the connection';
    state.lastServerError = reason;
    if (!state.registered) return; // connect fails with it when the socket closes
    reportError(state, 'connect', `the server ended the connection: ${reason}`, { numeric: 'ERROR' });
    return;
  }
  if (!/^[45]\d\d$/.test(command) || NOT_ERRORS.has(command)) return;
  // params: [our nick, subject…, reason]
  const reason = params[params.length - 1] ?? '';
  const subject = params.length > 2 ? params[1] : undefined;
  const details = { numeric: Number(command), ...(subject ? { subject } : {}) };

  if (!state.registered) {
    // a server without CAP answers CAP LS with 421 and goes on registering: not a failure
    if (!NICK_ERRORS.has(command) && !CONNECT_ERRORS.has(command)) return;
    const what = NICK_ERRORS.has(command) && subject
      ? command === '433' ? `the nick "${subject}" is already in use on ${state.server}` : `the nick "${subject}" was refused by ${state.server}`
      : `${state.server} refused the connection`;
    state.pending.reject('register', new HubError('PLATFORM_ERROR', `${what}: ${reason} (${command})`, details));
    return;
  }

  let verb = 'unknown';
  let key: string | undefined;
  if (subject && isChannel(subject) && !SEND_ERRORS.has(command)) {
    const ch = lower(state, subject);
    const waiting = CHANNEL_WAITERS.find(([k]) => state.pending.has(`${k} ${ch}`));
    if (waiting) {
      verb = waiting[1];
      key = `${waiting[0]} ${ch}`;
    } else if (JOIN_ERRORS.has(command) || command === '403') verb = 'join';
    else if (command === '442') verb = 'leave';
    else if (command === '482') verb = 'update';
  } else if (NICK_ERRORS.has(command)) {
    verb = 'update';
    key = 'nick';
  } else if (SEND_ERRORS.has(command)) verb = 'send';
  else if (CONNECT_ERRORS.has(command)) verb = 'connect';

  const content = `${verb} failed${subject ? ` (${subject})` : ''}: ${reason} (${command})`;
  reportError(state, verb, content, details, subject);
  if (key) state.pending.reject(key, new HubError('PLATFORM_ERROR', content, details));
}
