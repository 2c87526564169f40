// The official TypeScript SDK's OAuth client against the endpoint, with nothing but its URL: the
// SDK discovers the metadata from the 401, registers (Dynamic Client Registration) or names its
// Client ID Metadata Document, sends the user to the authorize URL (a scripted browser logs in and
// allows, tests/oauth/browser.py), exchanges the code with PKCE, then lists and calls tools.
// Copied into the ts-sdk client environment and run there with Node 24. Prints what it saw as JSON.
// Arguments: URL MODE(dcr|cimd) PYTHON BROWSER_SCRIPT REDIRECT_URL [CLIENT_METADATA_URL]. Test-only.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { execFileSync } from "node:child_process";

const [url, mode, python, browser, redirectUrl, clientMetadataUrl] = process.argv.slice(2);
const seen = { mode, registered: null, clientId: null, authorizeUrl: null, scope: null, requests: [] };

// What went over the wire, for the test's assertions (method, URL, status; no secrets).
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
	const response = await realFetch(input, init);
	const target = typeof input === "string" ? input : input.url ?? String(input);
	seen.requests.push({ method: init?.method ?? "GET", url: target, status: response.status });
	if (response.status === 401 && !seen.challenge) seen.challenge = response.headers.get("www-authenticate");
	return response;
};

let authorizationCode = null;
const store = {};
const provider = {
	get redirectUrl() {
		return redirectUrl;
	},
	get clientMetadata() {
		return {
			client_name: "FAC TypeScript SDK OAuth test",
			redirect_uris: [redirectUrl],
			grant_types: ["authorization_code", "refresh_token"],
			response_types: ["code"],
			token_endpoint_auth_method: "none",
		};
	},
	clientMetadataUrl: mode === "cimd" ? clientMetadataUrl : undefined,
	clientInformation: () => store.client,
	saveClientInformation(info) {
		store.client = info;
		seen.clientId = info.client_id;
		seen.registered = mode === "cimd" ? info.client_id !== clientMetadataUrl : Boolean(info.client_id);
	},
	tokens: () => store.tokens,
	saveTokens(tokens) {
		store.tokens = tokens;
		seen.scope = tokens.scope ?? null;
		seen.tokenType = tokens.token_type;
	},
	saveCodeVerifier(verifier) {
		store.verifier = verifier;
	},
	codeVerifier: () => store.verifier,
	redirectToAuthorization(authorizationUrl) {
		seen.authorizeUrl = authorizationUrl.toString();
		const landed = execFileSync(python, [browser, authorizationUrl.toString()], { encoding: "utf8" }).trim();
		const back = new URL(landed);
		seen.redirectedTo = `${back.origin}${back.pathname}`;
		seen.iss = back.searchParams.get("iss");
		if (back.searchParams.get("state") !== authorizationUrl.searchParams.get("state")) {
			throw new Error(`state mismatch: ${landed}`);
		}
		authorizationCode = back.searchParams.get("code");
		if (!authorizationCode) throw new Error(`no code: ${landed}`);
	},
};

const connect = async () => {
	const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
	const client = new Client({ name: "fac-oauth-e2e", version: "1.0.0" });
	await client.connect(transport);
	return { client, transport };
};

let session;
try {
	session = await connect();
	throw new Error("the endpoint answered without authorization");
} catch (error) {
	if (!(error instanceof UnauthorizedError)) throw error;
	seen.firstAttempt = "unauthorized";
}
const first = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
await first.finishAuth(authorizationCode);
session = await connect();
const { client } = session;
const tools = (await client.listTools()).tools;
const echo = await client.callTool({ name: "test_echo", arguments: { message: "from typescript oauth" } });
seen.tools = tools.map((tool) => tool.name).sort();
seen.echo = { isError: echo.isError ?? false, text: echo.content[0].text, structured: echo.structuredContent ?? null };
seen.accessToken = store.tokens?.access_token ?? null;
await client.close();
console.log(JSON.stringify(seen));
