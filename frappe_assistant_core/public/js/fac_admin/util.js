// FAC Admin page: shared helpers (escaping, translation, categories, server error messages).
//
// Plain JavaScript with no desk dependency, loaded by the desk page through frappe.require (it then
// sets window.fac_admin.util) and by the node tests through require() (module.exports).
(function (root, factory) {
	const api = factory(root);
	if (typeof module === "object" && module && module.exports) {
		module.exports = api;
	} else {
		root.fac_admin = root.fac_admin || {};
		root.fac_admin.util = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (root) {
	"use strict";

	const CATEGORIES = ["read_only", "write", "read_write", "privileged"];
	// How much a category lets a tool do (utils/tool_categories.py CATEGORY_RANK): an override may
	// raise a tool's category above the detected one, never lower it.
	const CATEGORY_RANK = { read_only: 0, write: 1, read_write: 1, privileged: 2 };

	/** The categories a tool detected as `detected` may be set to (all, when it is unknown). */
	function allowedCategories(detected) {
		if (!(detected in CATEGORY_RANK)) {
			return CATEGORIES.slice();
		}
		return CATEGORIES.filter((category) => CATEGORY_RANK[category] >= CATEGORY_RANK[detected]);
	}
	const ROLE_MODES = ["Allow All", "Restrict to Listed Roles"];

	// Desk's __() translates and fills {0}, {1}...; outside desk only the placeholders are filled.
	function __(text, replace) {
		if (typeof root.__ === "function") {
			return root.__(text, replace);
		}
		return format(text, replace);
	}

	function format(text, replace) {
		const values = replace || [];
		return String(text).replace(/\{(\d+)\}/g, (match, index) =>
			index < values.length ? String(values[index]) : match
		);
	}

	const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

	/** Escape any value for use in HTML text or a quoted attribute. */
	function esc(value) {
		if (value === null || value === undefined) {
			return "";
		}
		return String(value).replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch]);
	}

	function categoryLabel(category) {
		const labels = {
			read_only: __("Read Only"),
			write: __("Write"),
			read_write: __("Read & Write"),
			privileged: __("Privileged"),
		};
		return labels[category] || category || __("Uncategorised");
	}

	/** Desk's truthiness for flags that arrive as true/false/1/0/"1"/"0". */
	function flag(value) {
		return value === true || value === 1 || value === "1" || value === "true";
	}

	/** Text of a message that may hold markup (server messages often do); never rendered as HTML. */
	function plainText(value) {
		return String(value === null || value === undefined ? "" : value)
			.replace(/<[^>]*>/g, "")
			.replace(/&lt;/g, "<")
			.replace(/&gt;/g, ">")
			.replace(/&quot;/g, '"')
			.replace(/&#39;/g, "'")
			.replace(/&amp;/g, "&")
			.trim();
	}

	/**
	 * The message a failed server call carries, as plain text: Frappe puts frappe.throw's text in
	 * `_server_messages` (a JSON list of JSON-encoded {message} objects or strings), an uncaught
	 * error in `exception` ("module.ErrorClass: text") and a permission failure in `_error_message`.
	 */
	function serverMessage(response, fallback) {
		const messages = [];
		const body = response || {};
		if (body._server_messages) {
			let list = [];
			try {
				list = JSON.parse(body._server_messages);
			} catch (e) {
				list = [body._server_messages];
			}
			for (const item of Array.isArray(list) ? list : [list]) {
				let text = item;
				try {
					const parsed = typeof item === "string" ? JSON.parse(item) : item;
					text = parsed && typeof parsed === "object" ? parsed.message : parsed;
				} catch (e) {
					text = item;
				}
				if (text) {
					messages.push(plainText(text));
				}
			}
		}
		if (!messages.length && body._error_message) {
			messages.push(plainText(body._error_message));
		}
		if (!messages.length && body.exception) {
			const text = String(body.exception);
			const colon = text.indexOf(": ");
			messages.push(plainText(colon >= 0 ? text.slice(colon + 2) : text));
		}
		if (!messages.length && typeof body.message === "string" && body.exc_type) {
			messages.push(plainText(body.message));
		}
		const text = messages.filter(Boolean).join(" ");
		return text || fallback || __("The server could not complete the request.");
	}

	/** A new page section (class `cls`, labelled by `headingId`) placed before the Plugins section. */
	/** A new page section below the plugins and tools (the switches come first), before the dialog
	 * host: sections appear in the order they are made. */
	function sectionBelowTools(root, cls, headingId) {
		const el = root.ownerDocument.createElement("section");
		el.className = "fac-admin-section " + cls;
		el.setAttribute("aria-labelledby", headingId);
		const anchor = root.querySelector(".fac-dialog-host");
		(anchor ? anchor.parentNode : root).insertBefore(el, anchor);
		return el;
	}

	/** A DOM-id-safe token for a tool or plugin name. */
	function domId(prefix, name) {
		return prefix + "-" + String(name).replace(/[^A-Za-z0-9_-]/g, "_");
	}

	return { CATEGORIES, CATEGORY_RANK, allowedCategories, ROLE_MODES, __, format, esc, categoryLabel, flag, plainText, serverMessage, domId, sectionBelowTools };
});
