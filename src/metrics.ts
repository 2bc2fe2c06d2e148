// Prometheus metrics, all named hubgraph_*. One registry per process.
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'hubgraph_process_' });

export const jobsTotal = new client.Counter({
  name: 'hubgraph_jobs_total',
  help: 'Verbs handled, by platform, verb and outcome (ok, error code)',
  labelNames: ['platform', 'verb', 'outcome'] as const,
  registers: [registry],
});

export const jobDuration = new client.Histogram({
  name: 'hubgraph_job_duration_seconds',
  help: 'Time from a mutation reaching the API to its result, by platform and verb',
  labelNames: ['platform', 'verb'] as const,
  buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const workerJobDuration = new client.Histogram({
  name: 'hubgraph_worker_job_duration_seconds',
  help: 'Time a worker spent on one job (pool included), by platform and verb',
  labelNames: ['platform', 'verb'] as const,
  buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
  registers: [registry],
});

export const hostedSessions = new client.Gauge({
  name: 'hubgraph_hosted_sessions',
  help: 'Persistent platform connections hosted by this worker process, by platform',
  labelNames: ['platform'] as const,
  registers: [registry],
});

export const rateLimited = new client.Counter({
  name: 'hubgraph_rate_limited_total',
  help: 'Requests refused by a rate limit or cap (mutation, session, sockets, subscriptions)',
  labelNames: ['limit'] as const,
  registers: [registry],
});

export const sessionsOpened = new client.Counter({
  name: 'hubgraph_sessions_opened_total',
  help: 'API sessions opened by this process',
  registers: [registry],
});

export const subscriptions = new client.Gauge({
  name: 'hubgraph_subscriptions',
  help: 'Live activities subscriptions on this API process',
  registers: [registry],
});

export const eventsDelivered = new client.Counter({
  name: 'hubgraph_events_delivered_total',
  help: 'Inbound activities written to subscribers',
  registers: [registry],
});

export const slowConsumers = new client.Counter({
  name: 'hubgraph_slow_consumers_total',
  help: 'Subscribers closed because their buffer was full',
  registers: [registry],
});

export const sessionRestarts = new client.Counter({
  name: 'hubgraph_session_restarts_total',
  help: 'Persistent connections re-established by the supervisor, by platform and cause',
  labelNames: ['platform', 'cause'] as const,
  registers: [registry],
});

export const queueDepth = new client.Gauge({
  name: 'hubgraph_queue_depth',
  help: 'Jobs waiting in each queue (read from Redis at scrape time)',
  labelNames: ['queue'] as const,
  registers: [registry],
});
