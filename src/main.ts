// Entry point: reads the configuration, starts the roles this process runs, prints the ready
// line on stdout (logs go to stderr), and shuts down cleanly on SIGINT/SIGTERM.
import { ConfigError, helpText, parseConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { loadSecret } from './crypto/secret.js';
import { redisAnswers } from './redis/connection.js';
import { startEmbeddedRedis, type EmbeddedRedis } from './redis/embedded.js';
import { createServices } from './services.js';
import { HubError } from './errors.js';
import { startHealthServer, type HealthServer } from './http/health.js';

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseConfig>;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`hubgraph: ${err.message}\n\n${helpText()}`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(helpText());
    return;
  }
  const config: Config = parsed.config;
  const log = createLogger(config.logLevel);

  let embedded: EmbeddedRedis | undefined;
  if (!(await redisAnswers(config.redisUrl))) {
    if (!config.redisUrlIsDefault) {
      log.fatal({ redis: config.redisUrl }, 'Redis does not answer at REDIS_URL');
      process.exit(1);
    }
    try {
      embedded = await startEmbeddedRedis();
    } catch (err) {
      process.stderr.write(`hubgraph: ${(err as Error).message}\n`);
      process.exit(1);
    }
    log.warn({ redis: embedded.url }, 'nothing answered at redis://127.0.0.1:6379, so hubgraph started its own redis-server (no persistence; it stops with hubgraph)');
    config.redisUrl = embedded.url;
  }

  const secret = loadSecret(config.secret, config.secretFile, log);
  const services = await createServices(config, log, secret);
  log.info({ platforms: services.platforms.ids(), role: config.role }, 'platforms loaded');

  const { startWorker } = await import('./worker/start.js');
  const worker = config.role === 'api' ? undefined : await startWorker(services);
  // a worker-only process has no api server, so it gets a listener of its own for /healthz and
  // /metrics (with role `all`, the api server serves them for both roles)
  let healthServer: HealthServer | undefined;
  if (worker && config.role === 'worker') {
    try {
      healthServer = await startHealthServer({ services, worker });
    } catch (err) {
      process.stderr.write(`hubgraph: ${(err as Error).message}\n`);
      await worker.stop().catch(() => undefined);
      await services.close().catch(() => undefined);
      embedded?.stop();
      process.exit(1);
    }
  }
  if (worker) process.stdout.write(`hubgraph worker ready (${worker.id})${healthServer ? ` health at ${healthServer.url}` : ''}\n`);

  const { startApi } = await import('./api/server.js');
  const api = config.role === 'worker' ? undefined : await startApi(services, worker);
  if (api) process.stdout.write(`hubgraph ready at ${api.url}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await api?.stop();
      await healthServer?.stop();
      await worker?.stop();
      await services.close();
    } finally {
      embedded?.stop();
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const e = HubError.from(err);
  process.stderr.write(`hubgraph: ${e.message}\n`);
  process.exit(1);
});
