// A subscription over graphql-transport-ws, as the API serves it, that survives dropped
// connections: it keeps the cursor of the last event it delivered and, once reconnected,
// subscribes `after` it, so that the server replays exactly what was missed, then goes on.

import { apiKey } from "./api.js";

const RETRY_MS = [500, 1000, 2000, 5000, 10000];

export function follow({ query, field, after, onEvent, onState }) {
  let cursor = after;
  // Handled one after the other, in the order they came, whatever each awaits.
  let handled = Promise.resolve();
  let socket = null;
  let attempt = 0;
  let stopped = false;
  let retry = null;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
    onState("connecting");
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${apiKey()}` } }));
    });
    socket.addEventListener("message", (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === "connection_ack") {
        attempt = 0;
        onState("live");
        socket.send(JSON.stringify({ id: "feed", type: "subscribe", payload: { query, variables: { after: cursor } } }));
      } else if (frame.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (frame.type === "next" && frame.payload?.data?.[field]) {
        const event = frame.payload.data[field];
        cursor = event.cursor;
        handled = handled.then(() => onEvent(event)).catch(() => {});
      } else if (frame.type === "next" && frame.payload?.errors) {
        // Refused mid-way (a revoked key, say): retrying would be refused again.
        stop(frame.payload.errors.map((error) => error.message).join(" "));
      } else if (frame.type === "error") {
        stop(frame.payload?.map?.((error) => error.message).join(" ") ?? "refused");
      }
    });
    socket.addEventListener("close", (event) => {
      if (stopped) return;
      // 44xx: the server refused this client (its key, its messages): no use retrying.
      if (event.code >= 4400 && event.code < 4500) {
        onState("error", event.reason || `closed with ${event.code}`);
        return;
      }
      onState("reconnecting");
      retry = setTimeout(connect, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
    });
  }

  function stop(reason) {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
    if (reason) onState("error", reason);
  }

  connect();
  return { stop };
}
