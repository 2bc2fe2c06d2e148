// irc-framework 4.x is CommonJS without types. These declarations cover what this platform uses;
// event payloads stay loose (`IrcEvent`) and are narrowed in the inbound/ handlers.
declare module 'irc-framework' {
  import type { EventEmitter } from 'node:events';

  export type IrcEvent = Record<string, any>;

  export interface ClientOptions {
    host: string;
    port: number;
    nick: string;
    username?: string;
    gecos?: string;
    password?: string;
    tls?: boolean;
    rejectUnauthorized?: boolean;
    auto_reconnect?: boolean;
    ping_interval?: number;
    ping_timeout?: number;
    message_max_length?: number;
    version?: string | null;
    transport?: unknown;
    [option: string]: unknown;
  }

  export class Client extends EventEmitter {
    constructor(options?: ClientOptions);
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    /** eventemitter3's context: the listener runs with `this` = context, so one function serves every client */
    on<C>(event: string, listener: (this: C, e: IrcEvent) => void, context: C): this;
    options: ClientOptions;
    user: { nick: string; username: string; host: string; gecos: string };
    network: {
      name: string;
      options: { PREFIX?: { symbol: string; mode: string }[]; [key: string]: unknown };
      cap: { isEnabled(cap: string): boolean; enabled: string[]; available: Map<string, string> };
      extractTargetGroup(target: string): { target: string; target_group: string } | null;
    };
    connection: {
      connected: boolean;
      on(event: 'message', listener: (message: IrcEvent, line: string) => void): void;
      on<C>(event: 'message', listener: (this: C, message: IrcEvent, line: string) => void, context: C): void;
      registered: number | false;
      requested_disconnect: boolean;
      transport?: { isConnected(): boolean };
      /** the callback gets the socket's write error, if any */
      write(line: string, callback?: (err?: Error | null) => void): boolean;
      end(data?: string | null, hadError?: boolean): void;
    };
    connect(options?: ClientOptions): void;
    requestCap(cap: string | string[]): void;
    raw(...args: (string | number)[]): void;
    rawString(...args: (string | number)[]): string;
    quit(message?: string): void;
    join(channel: string, key?: string): void;
    part(channel: string, message?: string): void;
    changeNick(nick: string): void;
    setTopic(channel: string, topic: string): void;
    caseLower(s: string): string;
    caseCompare(a: string, b: string): boolean;
  }
}

declare module 'irc-framework/src/transports/net.js' {
  import { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';
  /** irc-framework's TCP/TLS transport; subclassed by ../transport.ts. */
  export default class NetTransport extends EventEmitter {
    constructor(options: Record<string, unknown>);
    options: Record<string, any>;
    socket: Socket | null;
    state: number;
    last_socket_error: Error | null;
    requested_disconnect: boolean;
    incoming_buffer: Buffer;
    connect(): void;
    disposeSocket(): void;
    setEncoding(encoding: string): boolean;
    debugOut(out: string): void;
    onSocketClose(): void;
    _onSocketCreate(options: Record<string, unknown>, socket: Socket): void;
  }
}

declare module 'irc-framework/src/linebreak.js' {
  export function lineBreak(
    text: string,
    opts: { bytes: number; allowBreakingWords?: boolean; allowBreakingGraphemes?: boolean },
  ): IterableIterator<string>;
}
