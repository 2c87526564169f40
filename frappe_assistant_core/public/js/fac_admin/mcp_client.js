// FAC Admin page: JSON-RPC to this site's MCP endpoint with the desk session, and what its answers mean.
//
// Used by the tool tester (tool_trial.js): requests carry the session cookie and desk's CSRF token,
// name the protocol revision in MCP-Protocol-Version and the client in `_meta.clientInfo` (which the
// FAC Tool Call Log records), exactly as any MCP client's requests reach the endpoint.
// Browser: window.fac_admin.mcpClient; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const guide = isNode ? require("./connect_guide.js") : root.fac_admin.connectGuide;
	const api = factory(util, guide);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.mcpClient = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util, guide) {
	"use strict";

	const { __ } = util;
	// A handshake-era revision every client in use speaks; no session is needed for it.
	const PROTOCOL_VERSION = "2025-11-25";
	const CLIENT_INFO = { name: "FAC Admin tool test", version: "1" };

	/** JSON-RPC over the MCP endpoint with the desk session: `fetch` is window.fetch in desk. */
	class McpClient {
		constructor({ fetch, csrfToken, endpoint }) {
			this.fetch = fetch;
			this.csrfToken = csrfToken || "";
			this.endpoint = endpoint || guide.ENDPOINT_PATH;
			this.nextId = 1;
		}

		/** {status, body (the parsed JSON or null), text} of one request; rejects on a network error. */
		async request(method, params) {
			const message = {
				jsonrpc: "2.0",
				id: this.nextId++,
				method,
				params: Object.assign({}, params, { _meta: { clientInfo: CLIENT_INFO } }),
			};
			const response = await this.fetch(this.endpoint, {
				method: "POST",
				credentials: "same-origin",
				headers: {
					"Content-Type": "application/json",
					Accept: "application/json",
					"MCP-Protocol-Version": PROTOCOL_VERSION,
					"X-Frappe-CSRF-Token": this.csrfToken,
				},
				body: JSON.stringify(message),
			});
			const text = await response.text();
			let body = null;
			try {
				body = JSON.parse(text);
			} catch (err) {
				body = null;
			}
			return { status: response.status, body, text };
		}

		/** The tools/list of this user: a list of MCP Tool objects; rejects with the server's message. */
		async listTools() {
			const answer = await this.request("tools/list", {});
			const result = answer.body && answer.body.result;
			if (!result || !Array.isArray(result.tools)) {
				throw new Error(outcomeOf(answer).text);
			}
			return result.tools;
		}

		callTool(name, args) {
			return this.request("tools/call", { name, arguments: args });
		}
	}

	function _pretty(text) {
		try {
			return JSON.stringify(JSON.parse(text), null, 2);
		} catch (err) {
			return text;
		}
	}

	/**
	 * What an answer of the endpoint means: {state, title, text}. state is "success", "tool_error"
	 * (a result with isError: the tool refused or failed) or "refused" (a JSON-RPC error, or an HTTP
	 * answer that is not JSON-RPC at all).
	 */
	function outcomeOf(answer) {
		const body = answer && answer.body;
		if (body && body.result && typeof body.result === "object") {
			const result = body.result;
			const content = Array.isArray(result.content) ? result.content : [];
			const text = content
				.filter((part) => part && part.type === "text")
				.map((part) => part.text)
				.join("\n");
			if (result.isError) {
				return { state: "tool_error", title: __("The tool returned an error"), text };
			}
			const shown = result.structuredContent !== undefined ? JSON.stringify(result.structuredContent, null, 2) : _pretty(text);
			return { state: "success", title: __("Result"), text: shown };
		}
		if (body && body.error && typeof body.error === "object") {
			return {
				state: "refused",
				title: __("Refused by the MCP endpoint (JSON-RPC error {0}, HTTP {1})", [body.error.code, answer.status]),
				text: String(body.error.message || ""),
			};
		}
		// Frappe's own refusals (a CSRF or permission error before the endpoint ran) are Frappe JSON.
		const text = body && typeof body === "object" ? util.serverMessage(body) : util.plainText(String((answer && answer.text) || ""));
		return {
			state: "refused",
			title: __("The MCP endpoint answered HTTP {0}", [answer ? answer.status : "?"]),
			text: text.slice(0, 500) || __("No answer"),
		};
	}

	return { McpClient, outcomeOf, CLIENT_INFO, PROTOCOL_VERSION };
});
