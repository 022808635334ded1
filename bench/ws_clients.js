// N websocket subscribers in ONE Node process (Node >= 20.10, run with
// `node --experimental-websocket`; no npm packages). Used by bench/websocket.py.
//
//   node --experimental-websocket bench/ws_clients.js <url> <count> <subscribe-json>
//
// Opens <count> sockets, sends the subscribe message on each and prints
// {"ready": true} once every socket got a success reply ({"ready": false,
// "error": ...} on failure). Then it counts events: the latency of each is its
// receive time minus the publisher's `bench_sent_us` (microseconds since the epoch)
// inside the payload, kept in 0.1 ms buckets. When a line arrives on stdin (or
// stdin closes) it prints one JSON line of totals and exits.
'use strict';

const [url, countText, subscribe] = process.argv.slice(2);
const count = Number(countText);
const STAMP = /"bench_sent_us":(\d+)/;
const DROPPED = /"name":"events_dropped".*?"dropped":(\d+)/;
const buckets = new Map();
const totals = { received: 0, dropped: 0, closed: 0, replies: 0, errors: 0 };
const clockOffsetMs = performance.timeOrigin;   // wall clock = timeOrigin + now()
let readyReported = false;

function onMessage(event) {
  const text = event.data;
  const stamp = STAMP.exec(text);
  if (stamp !== null) {
    const latency = (clockOffsetMs + performance.now()) / 1000 - Number(stamp[1]) / 1e6;
    const bucket = latency > 0 ? Math.floor(latency * 10000) : 0;
    buckets.set(bucket, (buckets.get(bucket) || 0) + 1);
    totals.received += 1;
  } else if (text.includes('"action":"reply"')) {
    onReply(text);
  } else {
    const dropped = DROPPED.exec(text);
    if (dropped !== null) totals.dropped += Number(dropped[1]);
  }
}

function onReply(text) {
  if (!text.includes('"status":"success"')) {
    totals.errors += 1;
    reportReady(false, 'subscribe refused: ' + text.slice(0, 300));
    return;
  }
  totals.replies += 1;
  if (totals.replies === count) reportReady(true);
}

function reportReady(ok, error) {
  if (readyReported) return;
  readyReported = true;
  process.stdout.write(JSON.stringify({ ready: ok, error }) + '\n');
}

function open() {
  const socket = new WebSocket(url);
  socket.addEventListener('open', () => socket.send(subscribe));
  socket.addEventListener('message', onMessage);
  socket.addEventListener('error', (event) => {
    reportReady(false, 'socket error: ' + (event.message || event.type));
  });
  socket.addEventListener('close', () => { totals.closed += 1; });
  return socket;
}

function finish() {
  const histogram = {};
  for (const [bucket, n] of buckets) histogram[bucket] = n;
  process.stdout.write(JSON.stringify({ kind: 'websocket', ...totals, histogram }) + '\n', () => {
    process.exit(0);
  });
}

const sockets = [];
for (let i = 0; i < count; i += 1) sockets.push(open());
process.stdin.once('data', finish);
process.stdin.once('end', finish);
setTimeout(() => reportReady(false, 'timed out subscribing'), 60000).unref();
