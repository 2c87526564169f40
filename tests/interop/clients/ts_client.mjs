// One session of the official TypeScript SDK client against the endpoint; prints what it saw as JSON.
// Copied into a client environment of its own (.host/clients/ts-sdk*) and run there with Node 24.
// Arguments: URL TOKEN. Test-only.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { readFileSync } from "node:fs";

const [url, token] = process.argv.slice(2);
const sdk = JSON.parse(readFileSync(new URL("./node_modules/@modelcontextprotocol/sdk/package.json", import.meta.url))).version;
// The negotiated version, read off the wire (SDK 1.10 keeps it private).
let negotiated = null;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
	const response = await realFetch(input, init);
	if (typeof init?.body === "string" && init.body.includes('"initialize"')) {
		const body = await response.clone().json().catch(() => null);
		negotiated = body?.result?.protocolVersion ?? negotiated;
	}
	return response;
};
const transport = new StreamableHTTPClientTransport(new URL(url), {
	requestInit: { headers: { Authorization: `token ${token}` } },
});
const client = new Client({ name: "fac-interop", version: "1.0.0" });
await client.connect(transport);
const tools = (await client.listTools()).tools;
const echo = await client.callTool({ name: "test_echo", arguments: { message: "from typescript" } });
const bad = await client.callTool({ name: "test_echo", arguments: { wrong: 1 } });
let unknownCode = null;
try {
	await client.callTool({ name: "no_such_tool", arguments: {} });
} catch (error) {
	unknownCode = error.code ?? null;
}
console.log(JSON.stringify({
	sdk,
	protocolVersion: negotiated,
	tools: tools.map((tool) => tool.name).sort(),
	titles: tools.every((tool) => tool.title || tool.annotations?.title),
	echo: { isError: echo.isError ?? false, text: echo.content[0].text, structured: echo.structuredContent ?? null },
	bad: { isError: bad.isError ?? false, text: bad.content[0].text },
	unknownCode,
}));
await client.close();
