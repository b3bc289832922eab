// client.mjs drives `patchbay shim NAME` with the official TypeScript MCP SDK client, spawned
// through StdioClientTransport exactly as Claude Desktop and Cursor do (the SDK's minimal
// default environment plus the entry's own env). It runs one scenario against
// @modelcontextprotocol/server-everything and prints a JSON summary on stdout.
//
// Usage: node client.mjs NPM_DIR COMMAND ARGS_JSON ENV_JSON
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [npmDir, command, argsJSON, envJSON] = process.argv.slice(2);
const sdk = (p) => import(pathToFileURL(join(npmDir, "node_modules/@modelcontextprotocol/sdk/dist/esm", p)).href);
const { Client } = await sdk("client/index.js");
const { StdioClientTransport } = await sdk("client/stdio.js");
const types = await sdk("types.js");

const out = { steps: {} };
const step = async (name, fn) => {
  const t0 = performance.now();
  try {
    out.steps[name] = { ok: true, value: await fn(), ms: Math.round(performance.now() - t0) };
  } catch (e) {
    out.steps[name] = { ok: false, error: String(e && e.message ? e.message : e), code: e && e.code, ms: Math.round(performance.now() - t0) };
  }
};

const transport = new StdioClientTransport({ command, args: JSON.parse(argsJSON), env: JSON.parse(envJSON), stderr: "pipe" });
let stderr = "";
transport.stderr?.on("data", (d) => (stderr += d));

const client = new Client(
  { name: "node-test-client", version: "1.0.0" },
  { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
);
const logs = [];
client.setNotificationHandler(types.LoggingMessageNotificationSchema, (n) => logs.push(n.params));
client.setRequestHandler(types.CreateMessageRequestSchema, async (req) => ({
  role: "assistant",
  model: "test-model",
  content: { type: "text", text: "sampled: " + req.params.messages[0].content.text.slice(0, 40) },
}));
// Decline: the round trip is what is tested, without guessing the form's every field.
client.setRequestHandler(types.ElicitRequestSchema, async () => ({ action: "decline" }));
client.setRequestHandler(types.ListRootsRequestSchema, async () => ({ roots: [{ uri: "file:///tmp/patchbay-root", name: "root" }] }));

await step("connect", async () => {
  await client.connect(transport);
  return client.getServerVersion();
});
if (out.steps.connect.ok) {
  await step("tools", async () => (await client.listTools()).tools.map((t) => t.name));
  await step("echo", async () => (await client.callTool({ name: "echo", arguments: { message: "hi from node" } })).content[0].text);
  await step("resources", async () => (await client.listResources()).resources.length);
  await step("read", async () => {
    const r = (await client.listResources()).resources[0];
    const c = await client.readResource({ uri: r.uri });
    return c.contents[0].uri === r.uri;
  });
  await step("prompts", async () => (await client.listPrompts()).prompts.map((p) => p.name));
  await step("prompt", async () => (await client.getPrompt({ name: "simple-prompt", arguments: {} })).messages.length);
  await step("progress", async () => {
    const seen = [];
    const r = await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    return { seen, text: r.content[0].text };
  });
  await step("cancel", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort("test cancels"), 200);
    const t0 = performance.now();
    try {
      await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 5, steps: 5 } }, undefined, { signal: ac.signal });
      return { cancelled: false };
    } catch (e) {
      return { cancelled: true, ms: Math.round(performance.now() - t0) };
    }
  });
  await step("afterCancel", async () => (await client.callTool({ name: "echo", arguments: { message: "after cancel" } })).content[0].text);
  await step("sampling", async () => (await client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "hello", maxTokens: 10 } })).content[0].text);
  await step("elicitation", async () => (await client.callTool({ name: "trigger-elicitation-request", arguments: {} })).content.map((c) => c.text).join("\n"));
  await step("roots", async () => (await client.callTool({ name: "get-roots-list", arguments: {} })).content.map((c) => c.text).join("\n"));
  await step("logging", async () => {
    await client.setLoggingLevel("debug");
    await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
    const t0 = performance.now();
    while (logs.length === 0 && performance.now() - t0 < 15000) await new Promise((r) => setTimeout(r, 100));
    await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
    return logs.length;
  });
  await client.close();
}
out.stderr = stderr;
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
