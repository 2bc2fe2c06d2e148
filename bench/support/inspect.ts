// A look inside a running hubgraph through the V8 inspector (the process is started with
// --inspect=127.0.0.1:0, which prints the address on stderr): a full GC in every isolate (main
// thread and each worker thread, via the NodeWorker domain) and each isolate's heap afterwards.
// Diagnostic only: it runs after the figures are taken, so attaching does not change them.
import WebSocket from 'ws';

export interface IsolateHeap {
  /** "main" or the worker's title/url */
  name: string;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

const MEMORY = 'JSON.stringify(process.memoryUsage())';

export async function gcAndHeaps(inspectorWsUrl: string, timeoutMs = 30_000): Promise<IsolateHeap[]> {
  const ws = new WebSocket(inspectorWsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (r: any) => void>();
  const workerPending = new Map<string, Map<number, (r: any) => void>>();
  const workers: { sessionId: string; name: string }[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
    else if (msg.method === 'NodeWorker.attachedToWorker') workers.push({ sessionId: msg.params.sessionId, name: msg.params.workerInfo?.title || msg.params.workerInfo?.url || 'worker' });
    else if (msg.method === 'NodeWorker.receivedMessageFromWorker') {
      const inner = JSON.parse(msg.params.message);
      if (inner.id !== undefined) workerPending.get(msg.params.sessionId)?.get(inner.id)?.(inner);
    }
  });
  const timer = <T>(p: Promise<T>, what: string) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`inspector: ${what} timed out`)), timeoutMs))]);
  const call = (method: string, params: Record<string, unknown> = {}) => {
    const id = nextId++;
    const p = new Promise<any>((resolve) => pending.set(id, resolve));
    ws.send(JSON.stringify({ id, method, params }));
    return timer(p, method);
  };
  const callWorker = (sessionId: string, method: string, params: Record<string, unknown> = {}) => {
    const id = nextId++;
    let map = workerPending.get(sessionId);
    if (!map) workerPending.set(sessionId, (map = new Map()));
    const p = new Promise<any>((resolve) => map!.set(id, resolve));
    ws.send(JSON.stringify({ id: nextId++, method: 'NodeWorker.sendMessageToWorker', params: { sessionId, message: JSON.stringify({ id, method, params }) } }));
    return timer(p, `${method} in a worker`);
  };
  const heapOf = (r: any, name: string): IsolateHeap => {
    const m = JSON.parse(r.result?.result?.value ?? '{}');
    return { name, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
  };
  try {
    await call('Runtime.enable');
    await call('NodeWorker.enable', { waitForDebuggerOnStart: false });
    await new Promise((r) => setTimeout(r, 500)); // attachedToWorker events
    const out: IsolateHeap[] = [];
    await call('HeapProfiler.collectGarbage');
    out.push(heapOf(await call('Runtime.evaluate', { expression: MEMORY, returnByValue: true }), 'main'));
    for (const w of workers) {
      await callWorker(w.sessionId, 'HeapProfiler.collectGarbage');
      out.push(heapOf(await callWorker(w.sessionId, 'Runtime.evaluate', { expression: MEMORY, returnByValue: true }), w.name));
    }
    return out;
  } finally {
    ws.close();
  }
}

/** The inspector's WebSocket address from what node printed on stderr. */
export function inspectorUrl(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}
