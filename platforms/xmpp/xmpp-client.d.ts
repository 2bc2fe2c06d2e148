// @xmpp/tcp ships no types; the session only needs its Connection class to subclass.
declare module '@xmpp/tcp/lib/Connection.js' {
  export default class ConnectionTCP {
    socketParameters(service: string): { host: string; port: number | null } | undefined;
  }
}
