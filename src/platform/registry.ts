// Finds platform folders, loads the enabled ones, and compiles their JSON Schemas once.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { PlatformDescriptor, Verb } from './types.js';
import { compileSchema, type Check } from './validate.js';
import { HubError } from '../errors.js';

/** Platforms loaded only when named in HUBGRAPH_PLATFORMS. */
const OPT_IN = new Set(['dummy']);

export interface LoadedPlatform {
  descriptor: PlatformDescriptor;
  checkCredentials: Check | undefined;
  checkVerb: Partial<Record<Verb, Check>>;
}

export class PlatformRegistry {
  private constructor(private readonly byId: Map<string, LoadedPlatform>) {}

  static async load(enabled: string[] | undefined): Promise<PlatformRegistry> {
    const dir = fileURLToPath(new URL('../../platforms/', import.meta.url));
    const found = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
    const wanted = enabled ?? found.filter((name) => !OPT_IN.has(name));
    const unknown = wanted.filter((name) => !found.includes(name));
    if (unknown.length) throw new HubError('BAD_USER_INPUT', `unknown platform(s) in HUBGRAPH_PLATFORMS: ${unknown.join(', ')} (found: ${found.join(', ') || 'none'})`);
    const byId = new Map<string, LoadedPlatform>();
    for (const name of wanted) {
      const base = join(dir, name);
      const file = ['index.js', 'index.ts'].map((f) => join(base, f)).find((f) => existsSync(f));
      if (!file) throw new HubError('INTERNAL_SERVER_ERROR', `platform ${name} has no index module`);
      const mod = (await import(pathToFileURL(file).href)) as { platform?: PlatformDescriptor };
      const descriptor = mod.platform;
      if (!descriptor || descriptor.id !== name) throw new HubError('INTERNAL_SERVER_ERROR', `platforms/${name}/index must export \`platform\` with id "${name}"`);
      const checkVerb: Partial<Record<Verb, Check>> = {};
      for (const [verb, schema] of Object.entries(descriptor.verbSchemas ?? {})) {
        if (schema) checkVerb[verb as Verb] = compileSchema(schema);
      }
      byId.set(name, {
        descriptor,
        checkCredentials: descriptor.credentialsSchema ? compileSchema(descriptor.credentialsSchema) : undefined,
        checkVerb,
      });
    }
    return new PlatformRegistry(byId);
  }

  list(): LoadedPlatform[] {
    return [...this.byId.values()];
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  get(id: string): LoadedPlatform {
    const p = this.byId.get(id);
    if (!p) throw new HubError('BAD_USER_INPUT', `unknown platform "${id}"; this server offers: ${this.ids().join(', ') || 'none'}`, { field: 'platform' });
    return p;
  }

  /** Whether a verb of this platform runs on a live connection. */
  static needsConnection(p: PlatformDescriptor, verb: Verb): boolean {
    return p.persistent && !(p.statelessVerbs ?? []).includes(verb);
  }
}
