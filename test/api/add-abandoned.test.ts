/**
 * A client that leaves while its add is being embedded: the server stops embedding it (its
 * requests to the embeddings endpoint are cancelled, no further one is sent) and stores nothing
 * of it. The order of events comes from holding the fake endpoint's answers, not from timings.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MAX_CONCURRENT_REQUESTS, MAX_INPUTS_PER_REQUEST } from "../../src/embed/openai.js";
import { startFakeEmbeddings, type FakeEmbeddings } from "../support/fake-embeddings.js";
import { startTestServer, type TestServer } from "../support/server.js";

let fake: FakeEmbeddings;
let server: TestServer;
before(async () => {
  fake = await startFakeEmbeddings({ dimension: 24 });
  server = await startTestServer({
    MOS_EMBEDDER_BACKEND: "universal_api",
    MOS_EMBEDDER_API_BASE: fake.url,
    MOS_EMBEDDER_MODEL: "fake-embed",
  });
});
after(async () => {
  await server.cleanup();
  await fake.close();
});

const requestsFor = (marker: string) => fake.requests.filter((request) => JSON.stringify(request.body).includes(marker)).length;

test("an add whose client disconnects is no longer embedded, and nothing of it is stored", async () => {
  const messages = Array.from({ length: MAX_INPUTS_PER_REQUEST * 20 }, (_, i) => ({ role: "user", content: `abandoned message ${i}` }));
  const hold = fake.hold();
  const client = new AbortController();
  const add = fetch(`${server.url}/product/add`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_id: "leaver", messages }),
    signal: client.signal,
  }).catch((error: unknown) => error);
  await hold.arrived; // the add is being embedded
  client.abort();
  await hold.abandoned; // the server cancelled its requests to the embeddings endpoint
  hold.release();
  assert.equal(((await add) as Error).name, "AbortError");

  // Another user's add goes through; had the abandoned add gone on, its next requests came first.
  const other = await server.post("/product/add", { user_id: "stayer", messages: [{ role: "user", content: "I stayed" }] });
  assert.equal(other.status, 200);
  const sent = requestsFor("abandoned message");
  assert.ok(sent <= MAX_CONCURRENT_REQUESTS, `${sent} of 20 embedding requests were sent; only those in flight at the disconnect may be`);
  // Nothing of it is stored: not even its cube, which the add would have created.
  const exists = await server.post("/product/exist_mem_cube_id", { user_id: "leaver", mem_cube_id: "leaver" });
  assert.equal(exists.body.data.leaver, false, JSON.stringify(exists.body));
});
