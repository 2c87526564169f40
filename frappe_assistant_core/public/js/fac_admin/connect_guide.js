// FAC Admin page: every word and config the "Connect a client" panel shows, in one place.
//
// Edit this file when what a client needs changes (OAuth sign-in: oauthStatus and the Claude /
// ChatGPT entries). connect.js only lays it out. Configs carry
// placeholders for the key, never a secret. Browser: window.fac_admin.connectGuide; node: exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const api = factory(util);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.connectGuide = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util) {
	"use strict";

	const { __ } = util;
	const ENDPOINT_PATH = "/api/method/frappe_assistant_core.api.fac_endpoint.handle_mcp";
	const TOKEN = "token <api_key>:<api_secret>";
	const SERVER_NAME = "frappe";
	const MY_CONNECTIONS = "/app/fac-connections";

	/** Where OAuth sign-in for MCP clients stands on this site; the one sentence to update. */
	function oauthStatus() {
		return __(
			"OAuth sign-in: this site offers it. Clients that sign in with OAuth (Claude, ChatGPT, Claude Code, Cursor, VS Code, n8n) need only the endpoint URL and a login on this site: they find the site's sign-in, register themselves and ask you to allow them, with no key to copy. If one cannot connect, run the Connection doctor (or bench --site SITE fac doctor): it says what that client will trip over and how to fix it."
		);
	}

	function _json(value) {
		return JSON.stringify(value, null, 2);
	}

	function _pythonSdk(url) {
		return [
			"# pip install 'mcp>=2'   then:  FRAPPE_TOKEN='<api_key>:<api_secret>' python this_file.py",
			"import asyncio",
			"import os",
			"",
			"import httpx2",
			"from mcp import Client",
			"from mcp.client.streamable_http import streamable_http_client",
			"",
			`URL = ${JSON.stringify(url)}`,
			"",
			"",
			"async def main():",
			'    http = httpx2.AsyncClient(headers={"Authorization": f"token {os.environ[\'FRAPPE_TOKEN\']}"})',
			"    async with Client(streamable_http_client(URL, http_client=http)) as client:",
			"        tools = (await client.list_tools()).tools",
			'        print(len(tools), "tools:", ", ".join(tool.name for tool in tools))',
			"",
			"",
			"asyncio.run(main())",
			"",
		].join("\n");
	}

	function _mcpRemote(url) {
		const args = ["-y", "mcp-remote", url, "--header", "Authorization:${FRAPPE_AUTH}"];
		if (url.startsWith("http://")) {
			args.push("--allow-http");
		}
		return _json({ mcpServers: { [SERVER_NAME]: { command: "npx", args, env: { FRAPPE_AUTH: TOKEN } } } });
	}

	/**
	 * One entry per client: {id, label, help, snippet, language}. `snippet` is what the Copy button
	 * copies. `url` is the endpoint as the browser reaches this site.
	 */
	function clients(url) {
		return [
			{
				id: "claude",
				label: __("Claude"),
				help: __(
					"Claude (web, Desktop, mobile): Settings > Connectors > Add custom connector, paste this URL (leave the OAuth client fields empty), then sign in to this site and allow Claude when it asks. Claude's connectors sign in with OAuth only, from Anthropic's servers: the site must be reachable at a public https URL (the Connection doctor checks it)."
				),
				snippet: url,
				language: "text",
			},
			{
				id: "chatgpt",
				label: __("ChatGPT"),
				help: __(
					"ChatGPT (web, with developer mode on): Settings > Connectors > Create, paste this URL, choose OAuth authentication, then sign in to this site and allow ChatGPT. ChatGPT signs in with OAuth only, from OpenAI's servers, and registers itself dynamically: the site must be reachable at a public https URL with client registration on (the Connection doctor checks both)."
				),
				snippet: url,
				language: "text",
			},
			{
				id: "claude-code",
				label: __("Claude Code"),
				help: __("Run in a terminal, with your API key and secret in place of the placeholders."),
				snippet: `claude mcp add --transport http ${SERVER_NAME} ${url} --header "Authorization: ${TOKEN}"`,
				language: "shell",
			},
			{
				id: "cursor",
				label: __("Cursor"),
				help: __("In ~/.cursor/mcp.json (every project) or .cursor/mcp.json (one project), with your API key and secret."),
				snippet: _json({ mcpServers: { [SERVER_NAME]: { url, headers: { Authorization: TOKEN } } } }),
				language: "json",
			},
			{
				id: "vscode",
				label: __("VS Code"),
				help: __("In .vscode/mcp.json: VS Code asks for the key and secret (as api_key:api_secret) when it starts the server and keeps them out of the file."),
				snippet: _json({
					inputs: [{ type: "promptString", id: "frappe-token", description: "Frappe API key:secret", password: true }],
					servers: { [SERVER_NAME]: { type: "http", url, headers: { Authorization: "token ${input:frappe-token}" } } },
				}),
				language: "json",
			},
			{
				id: "mcp-remote",
				label: __("mcp-remote"),
				help: __(
					"For clients that start local (stdio) servers only, e.g. Claude Desktop's claude_desktop_config.json: the mcp-remote bridge (Node.js 18 or later) connects them to this URL with your API key."
				),
				snippet: _mcpRemote(url),
				language: "json",
			},
			{
				id: "python",
				label: __("Python SDK"),
				help: __("The official MCP Python SDK (version 2), with the key and secret in FRAPPE_TOKEN."),
				snippet: _pythonSdk(url),
				language: "python",
			},
		];
	}

	/** How to get an API key, for `user` (a System Manager can generate keys; others must ask one). */
	function apiKeySteps({ user, isSystemManager }) {
		const where = __("Open your user settings, Settings tab, API Access section, and click Generate Keys; copy the secret when it is shown (it is shown once).");
		const who = isSystemManager
			? __("Generating keys again replaces the secret: clients using the old one stop working.")
			: __("Generating keys needs the System Manager role: ask a System Manager to generate keys for {0}.", [user]);
		return [
			__("API key: a client sends Authorization: {0} and acts as {1}, with exactly your permissions. For an assistant, prefer a user of its own with only the roles it needs.", [TOKEN, user]),
			where,
			who,
		];
	}

	/** The whole panel's content for this browser's site and user. */
	function connectGuide({ origin, user, isSystemManager }) {
		const url = String(origin || "").replace(/\/+$/, "") + ENDPOINT_PATH;
		return {
			title: __("Connect a client"),
			intro: __("MCP clients connect to this URL; every call runs as the user who signed in, with that user's permissions."),
			url,
			userSettings: `/app/user/${encodeURIComponent(user)}`,
			apiKey: apiKeySteps({ user, isSystemManager }),
			oauth: oauthStatus(),
			doctor: __("Open the Connection doctor"),
			myConnections: { label: __("See and revoke the apps you connected"), href: MY_CONNECTIONS },
			clients: clients(url),
		};
	}

	return { connectGuide, clients, apiKeySteps, oauthStatus, ENDPOINT_PATH, TOKEN, MY_CONNECTIONS };
});
