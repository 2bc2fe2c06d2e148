import type { Config, FloodRates } from '../config.js';

// What outbound connections may do. Built from the configuration in the worker and handed to
// every pool thread (plain data: it crosses the thread boundary by structured clone).
export interface NetPolicy {
  /** reach loopback, private and other non-public addresses (tests, local development) */
  allowPrivateAddresses: boolean;
  /** CIDRs reachable even though private */
  allowedAddresses: string[];
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  schemes: string[];
  /** seconds fetched results are shared between sessions; 0 = off */
  cacheSeconds: number;
  /** how fast an IRC connection may write lines (HUBGRAPH_IRC_FLOOD); absent: the IRC platform's default */
  ircFlood?: FloodRates;
}

export function netPolicy(config: Pick<Config, 'allowPrivateAddresses' | 'allowedAddresses' | 'fetchMaxBytes' | 'fetchTimeoutMs' | 'fetchMaxRedirects' | 'fetchSchemes' | 'fetchCacheSeconds' | 'ircFlood'>): NetPolicy {
  return {
    allowPrivateAddresses: config.allowPrivateAddresses,
    allowedAddresses: config.allowedAddresses,
    maxBytes: config.fetchMaxBytes,
    timeoutMs: config.fetchTimeoutMs,
    maxRedirects: config.fetchMaxRedirects,
    schemes: config.fetchSchemes,
    cacheSeconds: config.fetchCacheSeconds,
    ircFlood: config.ircFlood,
  };
}
