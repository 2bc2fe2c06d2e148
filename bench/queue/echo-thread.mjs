// The Piscina task of the BullMQ→Piscina section: the dummy platform's echo, inlined so the
// section does not depend on the engine's task format. Plain JavaScript because tsx does not
// load in worker threads on Node 20 (stack notes, pitfall 4).
export default function echo(task) {
  return { ok: true, activity: { ...task.activity, object: { ...task.activity.object, type: 'echo' } } };
}
