// Query limits (depth, aliases, directives, tokens, cost) with GraphQL Armor's envelop plugins.
// They are yoga plugins, so they hold for every operation yoga's envelop parses and validates:
// over HTTP and over WebSocket (server.ts runs graphql-ws operations through yoga.getEnveloped),
// introspection included (the API contract: it obeys the same limits as every query).
//
// A refusal is a GraphQL error with extensions.code GRAPHQL_VALIDATION_FAILED (the code yoga
// gives every other validation error) and extensions.limit naming the limit. The token limit is
// checked while parsing (so an oversized document is never built); the others are validation rules.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';

export const LIMIT_ERROR_CODE = 'GRAPHQL_VALIDATION_FAILED';

export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'cost';

export type Limits = Pick<Config, 'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxTokens' | 'maxCost'>;

/** The error a client gets; Armor's own message ("Syntax Error: … limit of N exceeded, found M.") is reworded. */
export function limitError(limit: LimitName, max: number, armorMessage: string): GraphQLError {
  const found = /found (\d+(?:\.\d+)?)/.exec(armorMessage)?.[1];
  const n = found === undefined ? '?' : String(Math.ceil(Number(found)));
  const what: Record<LimitName, string> = {
    depth: `its depth is ${n}`,
    aliases: `it uses ${n} aliases`,
    directives: `it uses ${n} directives`,
    cost: `its cost is ${n}`,
    tokens: `the document has more than ${max} tokens`,
  };
  const message = limit === 'tokens' ? `Operation refused: ${what.tokens}.` : `Operation refused: ${what[limit]}, more than this server's limit of ${max}.`;
  return new GraphQLError(message, { extensions: { code: LIMIT_ERROR_CODE, limit, max } });
}

/**
 * Validation rules report the refusal (the operation's other validation errors are still
 * collected); the token limit runs inside the parser, where there is no validation context, so it
 * throws, and the parse fails with that error.
 */
function reject(limit: LimitName, max: number): GraphQLArmorRejectCallback {
  return (ctx: ValidationContext | null, error: GraphQLError) => {
    const refusal = limitError(limit, max, error.message);
    if (ctx) ctx.reportError(refusal);
    else throw refusal;
  };
}

export function limitsPlugin(limits: Limits): Plugin {
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  return EnvelopArmorPlugin({
    // introspection is open to everyone, so field suggestions give nothing away; keep them
    blockFieldSuggestion: { enabled: false },
    maxTokens: { ...common, n: limits.maxTokens, onReject: [reject('tokens', limits.maxTokens)] },
    maxDirectives: { ...common, n: limits.maxDirectives, onReject: [reject('directives', limits.maxDirectives)] },
    maxAliases: { ...common, n: limits.maxAliases, onReject: [reject('aliases', limits.maxAliases)] },
    // depth counts fields only: a fragment spread adds no level to the response
    maxDepth: { ...common, n: limits.maxDepth, ignoreIntrospection: false, flattenFragments: true, onReject: [reject('depth', limits.maxDepth)] },
    costLimit: { ...common, maxCost: limits.maxCost, ignoreIntrospection: false, flattenFragments: true, onReject: [reject('cost', limits.maxCost)] },
  }) as Plugin;
}
