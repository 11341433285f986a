// The public GraphQL API, as any front-end calls it: POST /graphql with the API key as a
// bearer token. The key lives in this tab's sessionStorage only: never in a URL the server
// sees, never in localStorage where another tab or a later visitor would find it.

const KEY = "oneoff.apiKey";

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function signIn(key) {
  sessionStorage.setItem(KEY, key.trim());
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(message, codes) {
    super(message);
    this.codes = codes;
  }

  get unauthenticated() {
    return this.codes.includes("UNAUTHENTICATED");
  }
}

export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey()}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("The server cannot be reached.", ["NETWORK"]);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status}.`, ["HTTP"]);
  }
  if (body.errors?.length) {
    const codes = body.errors.map((error) => error.extensions?.code ?? "ERROR");
    throw new ApiError(body.errors.map((error) => error.message).join(" "), codes);
  }
  return body.data;
}

const currencies = new Map();

// What amounts in `code` need to be shown: its exponent, from the API (never guessed by the
// browser), asked once per code.
export function currency(code) {
  if (!currencies.has(code)) {
    const asked = gql("query($c: CurrencyCode!) { currency(code: $c) { code exponent } }", {
      c: code,
    }).then((data) => data.currency);
    asked.catch(() => currencies.delete(code));
    currencies.set(code, asked);
  }
  return currencies.get(code);
}

// A fresh idempotency key: a retried or double-clicked Create issues one invoice. From
// getRandomValues, which plain-HTTP pages have too (randomUUID needs a secure context).
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
