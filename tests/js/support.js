// Shared by the FAC Admin JS tests: a jsdom document, fixture data shaped exactly like the admin API's
// answers, and an in-memory fake of that API whose calls can be held in flight or made to fail.
"use strict";

const { JSDOM } = require("jsdom");

const HOSTILE = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;

function plugins() {
	return [
		{
			name: "core",
			display_name: "Core",
			description: "Essential Frappe operations (CRUD, search, metadata)",
			version: "2.2.0",
			enabled: true,
			always_enabled: true,
			can_enable: true,
			validation_error: null,
			tool_count: 3,
			tools: ["document_get", "document_create", "document_delete"],
			discovered_at: "2026-11-20 10:00:00",
			last_toggled_at: null,
			last_toggled_by: null,
		},
		{
			name: "data_science",
			display_name: "Data Science",
			description: "Analytics " + HOSTILE,
			version: "1.0.0",
			enabled: false,
			always_enabled: false,
			can_enable: true,
			validation_error: null,
			tool_count: 2,
			tools: ["execute_python_code", "analyze_frappe_data"],
			discovered_at: "2026-11-20 10:00:00",
			last_toggled_at: "2026-11-21 09:15:00.123456",
			last_toggled_by: "admin@example.com",
		},
		{
			name: "visualization",
			display_name: "Visualization",
			description: "Dashboard and chart creation, KPIs",
			version: "1.0.0",
			enabled: true,
			always_enabled: false,
			can_enable: true,
			validation_error: null,
			tool_count: 1,
			tools: ["create_chart"],
			discovered_at: "2026-11-20 10:00:00",
			last_toggled_at: null,
			last_toggled_by: null,
		},
		{
			name: "websocket",
			display_name: "WebSocket",
			description: "Real-time communication (under development)",
			version: "1.0.0",
			enabled: false,
			always_enabled: false,
			can_enable: false,
			validation_error: "Missing dependencies: socketio <b>x</b>",
			tool_count: 0,
			tools: [],
			discovered_at: "2026-11-20 10:00:00",
			last_toggled_at: null,
			last_toggled_by: null,
		},
	];
}

function tool(name, plugin, extra) {
	const displayNames = { core: "Core", data_science: "Data Science", visualization: "Visualization", hr_tools: "HR Tools" };
	const labels = { read_only: "Read Only", write: "Write", read_write: "Read & Write", privileged: "Privileged" };
	const base = {
		name,
		description: `The ${name} tool`,
		plugin_name: plugin,
		plugin_display_name: displayNames[plugin],
		plugin_enabled: plugin !== "data_science",
		source_app: "frappe_assistant_core",
		enabled: true,
		category: "read_only",
		auto_detected_category: "read_only",
		category_override: false,
		role_access_mode: "Allow All",
		roles: [],
	};
	const out = Object.assign(base, extra || {});
	out.category_label = labels[out.category];
	out.effectively_enabled = out.plugin_enabled && out.enabled;
	return out;
}

function tools() {
	return [
		tool("document_get", "core"),
		tool("document_create", "core", { category: "write", auto_detected_category: "write" }),
		tool("document_delete", "core", {
			category: "privileged",
			auto_detected_category: "privileged",
			enabled: false,
			role_access_mode: "Restrict to Listed Roles",
			roles: [{ role: "System Manager", allow_access: 1 }],
		}),
		tool("execute_python_code", "data_science", {
			category: "privileged",
			auto_detected_category: "privileged",
			description: "Run Python " + HOSTILE,
		}),
		tool("analyze_frappe_data", "data_science", { category: "read_only" }),
		tool("create_chart", "visualization", { category: "write", auto_detected_category: "write" }),
		tool("employee_lookup", "hr_tools", { source_app: "hr_tools", description: "Find employees by name" }),
	];
}

const ROLES = ["Accounts User", "Assistant Admin", "Assistant User", "Sales User", "System Manager"];

class ServerError extends Error {}

/**
 * An in-memory admin API with the contract's shapes. `hold = true` keeps the next calls in flight
 * until `release()`; `failNext(method, message)` makes the next call of `method` reject as desk's
 * adapter does (an Error carrying the server's message); `calls` records [method, args, type].
 */
class FakeAdminApi {
	constructor() {
		this.plugins = plugins();
		this.tools = tools();
		this.roles = ROLES.slice();
		this.calls = [];
		this.hold = false;
		this._held = [];
		this._failures = new Map();
		this.governance = governance();
		this.toolGovernance = { document_create: { tool_name: "document_create", requires_approval: false, rate_limit: 0 } };
	}

	failNext(method, message) {
		this._failures.set(method, message);
	}

	release() {
		const held = this._held.splice(0);
		held.forEach((go) => go());
		return flush();
	}

	mutations() {
		return this.calls.filter(([, , type]) => type === "POST");
	}

	call(fullMethod, args, opts) {
		const method = fullMethod.replace(/^frappe_assistant_core\.api\.admin_(api|governance|connections)\./, "");
		this.calls.push([method, args, (opts && opts.type) || "POST"]);
		const run = () => {
			if (this._failures.has(method)) {
				const message = this._failures.get(method);
				this._failures.delete(method);
				throw new ServerError(message);
			}
			return JSON.parse(JSON.stringify(this[`_${method}`](args)));
		};
		if (this.hold) {
			return new Promise((resolve, reject) => {
				this._held.push(() => {
					try {
						resolve(run());
					} catch (err) {
						reject(err);
					}
				});
			});
		}
		return new Promise((resolve) => resolve(run()));
	}

	_tool(name) {
		const found = this.tools.find((t) => t.name === name);
		if (!found) {
			throw new ServerError(`Tool ${name} not found`);
		}
		return found;
	}

	_get_all_plugins() {
		return this.plugins;
	}

	_get_plugin_stats() {
		const enabled = this.plugins.filter((p) => p.enabled).length;
		return {
			total_plugins: this.plugins.length,
			enabled_plugins: enabled,
			disabled_plugins: this.plugins.length - enabled,
			plugins: this.plugins.map((p) => ({ name: p.name, display_name: p.display_name, enabled: p.enabled, tool_count: p.tool_count })),
		};
	}

	_get_tool_configurations() {
		for (const t of this.tools) {
			const plugin = this.plugins.find((p) => p.name === t.plugin_name);
			t.plugin_enabled = plugin ? plugin.enabled : true;
			t.effectively_enabled = t.plugin_enabled && t.enabled;
		}
		return { tools: this.tools, total: this.tools.length };
	}

	_get_tool_stats() {
		this._get_tool_configurations();
		const active = this.tools.filter((t) => t.effectively_enabled).length;
		return {
			total_tools: this.tools.length,
			enabled_tools: this.tools.filter((t) => t.enabled).length,
			disabled_tools: this.tools.filter((t) => !t.enabled).length,
			active_tools: active,
			by_category: {},
			by_plugin: {},
		};
	}

	_get_available_roles() {
		return this.roles;
	}

	// The tool call log: empty unless a test sets `usage` / `recentCalls`.
	_get_usage_stats({ days }) {
		return this.usage || usageStats({ days });
	}

	_get_recent_tool_calls({ tool_name }) {
		return (this.recentCalls || {})[tool_name] || [];
	}

	_toggle_plugin({ plugin_name, enable }) {
		const plugin = this.plugins.find((p) => p.name === plugin_name);
		const on = enable === 1 || enable === true || enable === "1";
		if (plugin.always_enabled && !on) {
			throw new ServerError(`Plugin ${plugin_name} is always enabled and cannot be disabled`);
		}
		plugin.enabled = on;
		return { success: true, message: `Plugin '${plugin_name}' ${on ? "enabled" : "disabled"}.` };
	}

	_toggle_tool({ tool_name, enable }) {
		const t = this._tool(tool_name);
		t.enabled = enable === 1 || enable === true;
		return { success: true, message: `Tool '${tool_name}' ${t.enabled ? "enabled" : "disabled"}.`, enabled: t.enabled };
	}

	_bulk_toggle_tools({ tool_names, enable }) {
		const names = JSON.parse(tool_names);
		names.forEach((name) => (this._tool(name).enabled = enable === 1));
		return { success: true, updated: names.length, message: `${names.length} tools ${enable ? "enabled" : "disabled"}.` };
	}

	_update_tool_category({ tool_name, category, override }) {
		const t = this._tool(tool_name);
		t.category_override = Boolean(override);
		t.category = override ? category : t.auto_detected_category;
		t.category_label = { read_only: "Read Only", write: "Write", read_write: "Read & Write", privileged: "Privileged" }[t.category];
		return { success: true, message: "ok", category: t.category };
	}

	// Governance (public/js/fac_admin/governance.js), as api/admin_governance.py answers.
	_get_governance() {
		return this.governance;
	}

	_set_read_only_mode({ enable }) {
		this.governance.read_only_mode = enable === 1;
		return { success: true, message: enable ? "Read-only mode is on" : "Read-only mode is off." };
	}

	_update_governance({ settings }) {
		const values = JSON.parse(settings);
		if (Number(values.rate_limit_per_user) < 1) {
			throw new ServerError("Tool Calls per User per Minute must be a whole number from 1 to 100000");
		}
		const numbers = ["rate_limit_per_user", "rate_limit_per_tool", "approval_expiry_hours"];
		Object.assign(this.governance, values, Object.fromEntries(numbers.map((field) => [field, Number(values[field])])));
		return { success: true, message: "Governance settings saved." };
	}

	// Connected clients and the doctor (connections.js, doctor.js), as api/admin_connections.py answers.
	_get_connected_clients() {
		return this.connections || [];
	}

	_run_connection_doctor() {
		return this.doctor || { status: "ok", checks: [], families: [] };
	}

	_get_tool_governance({ tool_name }) {
		return this.toolGovernance[tool_name] || { tool_name, requires_approval: false, rate_limit: 0 };
	}

	_update_tool_governance({ tool_name, requires_approval, rate_limit }) {
		this.toolGovernance[tool_name] = { tool_name, requires_approval: requires_approval === 1, rate_limit: Number(rate_limit) };
		return { success: true, message: `Tool '${tool_name}' governance updated.` };
	}

	_update_tool_role_access({ tool_name, role_access_mode, roles }) {
		const t = this._tool(tool_name);
		t.role_access_mode = role_access_mode;
		t.roles = JSON.parse(roles).map((role) => ({ role, allow_access: 1 }));
		return { success: true, message: "ok" };
	}
}

/** get_governance's answer: the stored controls, one URL holding markup. */
function governance() {
	return {
		read_only_mode: false,
		read_only_roles: ["Sales User"],
		approval_mode: "Client or Approver",
		approval_modes: ["Client or Approver", "Approver Only"],
		approval_for_write: false,
		approval_for_read_write: true,
		approval_for_privileged: false,
		approval_expiry_hours: 24,
		rate_limit_per_user: 120,
		rate_limit_per_tool: 60,
		pending_approvals: 2,
		urls: { full: "https://erp/api/method/x.handle_mcp", read_only: `https://erp/api/method/x.handle_mcp/readonly${HOSTILE}`, plugins: "p" },
	};
}

/** Let pending timers and promise callbacks (and the re-renders they trigger) run. */
async function flush() {
	for (let i = 0; i < 10; i += 1) {
		await new Promise((resolve) => setTimeout(resolve, 1));
		await new Promise((resolve) => setImmediate(resolve));
	}
}

function dom() {
	const jsdom = new JSDOM(`<!doctype html><html><body><main id="root"></main></body></html>`, {
		url: "http://127.0.0.1/app/fac-admin",
		pretendToBeVisual: true,
	});
	return { window: jsdom.window, document: jsdom.window.document, root: jsdom.window.document.getElementById("root") };
}

/** Put rendered HTML into a fresh document (what innerHTML does in the browser). */
function fragment(html, tag) {
	const { document } = dom();
	const holder = document.createElement(tag || "div");
	holder.innerHTML = html;
	document.body.appendChild(holder);
	return holder;
}

function fire(window, element, type) {
	element.dispatchEvent(new window.Event(type, { bubbles: true }));
}

/** Flip a checkbox as a click does (the change event carries the new state). */
function flip(window, input) {
	input.checked = !input.checked;
	fire(window, input, "change");
}

/**
 * get_usage_stats' answer: no calls, or the `tools` / `users` given, their calls on the last day of
 * the window (successes and errors) but `outside` of them, stamped after it (on no day of the chart).
 */
function usageStats({ days = 30, tools = [], users = [], pending = 0, outside = 0 } = {}) {
	const statuses = ["Success", "Error", "Invalid Arguments", "Permission Denied", "Timeout", "Unavailable"];
	const dates = Array.from({ length: days }, (_, i) => `2026-01-${String(i + 1).padStart(2, "0")}`);
	const series = Object.fromEntries(statuses.map((s) => [s, dates.map(() => 0)]));
	const total = tools.reduce((n, t) => n + t.calls, 0);
	const errors = tools.reduce((n, t) => n + t.errors, 0);
	const onChart = Math.max(total - outside, 0);
	series.Error[days - 1] = Math.min(errors, onChart);
	series.Success[days - 1] = onChart - series.Error[days - 1];
	return {
		days,
		statuses,
		total_calls: total,
		error_calls: errors,
		error_rate: total ? errors / total : 0,
		user_count: users.length,
		tool_count: tools.length,
		daily: { dates, series },
		tools,
		users,
		pending,
	};
}

module.exports = { usageStats, HOSTILE, ROLES, plugins, tools, tool, FakeAdminApi, ServerError, flush, dom, fragment, fire, flip };
