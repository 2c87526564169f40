// FAC Admin page: a tool's MCP inputSchema (JSON Schema from pydantic) as desk form fields, and the
// values of those fields as the tool's `arguments`.
//
// Pure data, no DOM: `argumentFields(schema)` reads each property (following $ref, allOf and
// nullable anyOf) into a plain description, `deskFields(fields)` turns those into frappe.ui.Dialog
// field definitions (Data and Small Text boxes, Check, Select), and
// `collectArguments(fields, values)` reads the dialog's values back into the JSON the tool takes,
// with one message per field it cannot read. The server validates again: this only saves a round
// trip. Browser: window.fac_admin.schemaForm; node: module.exports.
(function (root, factory) {
	const isNode = typeof module === "object" && module && module.exports;
	const util = isNode ? require("./util.js") : root.fac_admin.util;
	const api = factory(util);
	if (isNode) {
		module.exports = api;
	} else {
		root.fac_admin.schemaForm = api;
	}
})(typeof window !== "undefined" ? window : globalThis, function (util) {
	"use strict";

	const { __ } = util;
	// Dialog fieldnames are ours (the property name is only the label), so no property name can
	// collide with the dialog's own fields or reach the DOM as an identifier.
	const FIELD_PREFIX = "fac_arg_";
	// Strings allowed to be longer than a Data field's 140 characters get a multi-line box.
	const LONG_STRING = 140;
	const SCALARS = ["string", "integer", "number", "boolean"];

	/** The schema node `node` points at (a local "#/$defs/X" or "#/definitions/X" $ref), else itself. */
	function _resolve(node, schema, seen) {
		let current = node || {};
		const visited = seen || new Set();
		while (current && typeof current.$ref === "string" && !visited.has(current.$ref)) {
			visited.add(current.$ref);
			const match = current.$ref.match(/^#\/(\$defs|definitions)\/(.+)$/);
			const target = match && schema[match[1]] && schema[match[1]][match[2]];
			const rest = Object.assign({}, current);
			delete rest.$ref;
			current = Object.assign({}, target || {}, rest);
		}
		if (Array.isArray(current.allOf) && current.allOf.length === 1) {
			const rest = Object.assign({}, current);
			delete rest.allOf;
			return Object.assign({}, _resolve(current.allOf[0], schema, visited), rest);
		}
		return current;
	}

	/** {node, nullable}: the one non-null alternative of an anyOf/oneOf/type list, or the node. */
	function _unwrapNullable(node, schema) {
		const options = node.anyOf || node.oneOf;
		if (Array.isArray(options)) {
			const real = options.map((option) => _resolve(option, schema)).filter((option) => option.type !== "null");
			const nullable = real.length < options.length;
			if (real.length === 1) {
				const merged = Object.assign({}, node, real[0]);
				delete merged.anyOf;
				delete merged.oneOf;
				return { node: merged, nullable };
			}
			return { node, nullable };
		}
		if (Array.isArray(node.type)) {
			const types = node.type.filter((type) => type !== "null");
			const nullable = types.length < node.type.length;
			return { node: Object.assign({}, node, { type: types.length === 1 ? types[0] : types }), nullable };
		}
		return { node, nullable: false };
	}

	/** "string" | "integer" | "number" | "boolean" | "enum" | "json" for one resolved property. */
	function _kind(node) {
		if (Array.isArray(node.enum) && node.enum.length) {
			return "enum";
		}
		if (Object.prototype.hasOwnProperty.call(node, "const")) {
			return "enum";
		}
		return SCALARS.includes(node.type) ? node.type : "json";
	}

	/**
	 * One description per property, in the schema's order: {name, fieldname, kind, label, description,
	 * required, nullable, default (undefined when none), options (enum values), json ("array" |
	 * "object" | null: what a JSON field must hold), minimum, maximum, long (a long string)}.
	 */
	function argumentFields(schema) {
		const root = schema || {};
		const properties = root.properties || {};
		const required = new Set(Array.isArray(root.required) ? root.required : []);
		return Object.keys(properties).map((name, index) => {
			const { node, nullable } = _unwrapNullable(_resolve(properties[name], root), root);
			const kind = _kind(node);
			const has = (key) => Object.prototype.hasOwnProperty.call(node, key);
			return {
				name,
				fieldname: FIELD_PREFIX + index,
				kind,
				label: name,
				description: typeof node.description === "string" ? node.description : "",
				required: required.has(name),
				nullable,
				default: has("default") ? node.default : undefined,
				options: kind === "enum" ? (has("const") ? [node.const] : node.enum.slice()) : [],
				json: kind === "json" && (node.type === "array" || node.type === "object") ? node.type : null,
				minimum: typeof node.minimum === "number" ? node.minimum : undefined,
				maximum: typeof node.maximum === "number" ? node.maximum : undefined,
				long: kind === "string" && (node.maxLength === undefined ? false : node.maxLength > LONG_STRING),
			};
		});
	}

	function _defaultNote(field) {
		if (field.default === undefined || field.default === null) {
			return "";
		}
		const shown = typeof field.default === "string" ? field.default : JSON.stringify(field.default);
		return __("Default: {0}", [shown]);
	}

	function _rangeNote(field) {
		if (field.minimum !== undefined && field.maximum !== undefined) {
			return __("From {0} to {1}.", [field.minimum, field.maximum]);
		}
		if (field.minimum !== undefined) {
			return __("At least {0}.", [field.minimum]);
		}
		return field.maximum !== undefined ? __("At most {0}.", [field.maximum]) : "";
	}

	function _jsonNote(field) {
		if (field.json === "array") {
			return __("A JSON array, e.g. [\"a\", \"b\"].");
		}
		if (field.json === "object") {
			return __("A JSON object, e.g. {\"status\": \"Open\"}.");
		}
		return __("Any JSON value.");
	}

	/** A boolean has a "not set" choice unless it is required or has a default (then a checkbox). */
	function _booleanIsCheck(field) {
		return typeof field.default === "boolean" || (field.required && !field.nullable);
	}

	/** frappe.ui.Dialog field definitions for `fields` (from argumentFields). */
	function deskFields(fields) {
		return (fields || []).map((field) => {
			const notes = [field.description];
			const df = { fieldname: field.fieldname, label: field.label, reqd: field.required ? 1 : 0 };
			if (field.kind === "string") {
				df.fieldtype = field.long ? "Small Text" : "Data";
				if (typeof field.default === "string") {
					df.default = field.default;
				}
			} else if (field.kind === "integer" || field.kind === "number") {
				// Data, not Int/Float: desk's number controls turn an empty box into 0, which would
				// send a value the user never chose. collectArguments reads the number.
				df.fieldtype = "Data";
				notes.push(_rangeNote(field), _defaultNote(field));
			} else if (field.kind === "boolean") {
				if (_booleanIsCheck(field)) {
					df.fieldtype = "Check";
					df.default = field.default === true ? 1 : 0;
					df.reqd = 0; // a checkbox always has a value
				} else {
					df.fieldtype = "Select";
					df.options = ["", "true", "false"];
					notes.push(_defaultNote(field));
				}
			} else if (field.kind === "enum") {
				df.fieldtype = "Select";
				const values = field.options.map((value) => (typeof value === "string" ? value : JSON.stringify(value)));
				df.options = field.required && !field.nullable ? values : ["", ...values];
				if (field.default !== undefined && field.default !== null) {
					df.default = typeof field.default === "string" ? field.default : JSON.stringify(field.default);
				}
			} else {
				// A plain text box: desk's Code control loads an editor bundle the page does not need.
				df.fieldtype = "Small Text";
				notes.push(_jsonNote(field), _defaultNote(field));
			}
			df.description = notes.filter(Boolean).join(" ");
			return df;
		});
	}

	function _isBlank(value) {
		return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
	}

	function _readNumber(field, raw, errors) {
		const text = String(raw).trim();
		const number = Number(text);
		if (!text || !Number.isFinite(number)) {
			errors.push({ field: field.name, message: __("{0} must be a number", [field.label]) });
			return undefined;
		}
		if (field.kind === "integer" && !Number.isInteger(number)) {
			errors.push({ field: field.name, message: __("{0} must be a whole number", [field.label]) });
			return undefined;
		}
		return number;
	}

	function _readJson(field, raw, errors) {
		let value;
		try {
			value = JSON.parse(String(raw));
		} catch (err) {
			errors.push({ field: field.name, message: __("{0} is not valid JSON: {1}", [field.label, err.message]) });
			return undefined;
		}
		const isArray = Array.isArray(value);
		const isObject = value !== null && typeof value === "object" && !isArray;
		if ((field.json === "array" && !isArray) || (field.json === "object" && !isObject)) {
			const wanted = field.json === "array" ? __("a JSON array") : __("a JSON object");
			errors.push({ field: field.name, message: __("{0} must be {1}", [field.label, wanted]) });
			return undefined;
		}
		return value;
	}

	function _read(field, raw, errors) {
		if (field.kind === "string") {
			return String(raw);
		}
		if (field.kind === "integer" || field.kind === "number") {
			return _readNumber(field, raw, errors);
		}
		if (field.kind === "boolean") {
			return raw === true || raw === 1 || raw === "1" || raw === "true";
		}
		if (field.kind === "enum") {
			const found = field.options.find((option) => (typeof option === "string" ? option : JSON.stringify(option)) === raw);
			if (found === undefined) {
				errors.push({ field: field.name, message: __("{0} must be one of {1}", [field.label, field.options.join(", ")]) });
			}
			return found;
		}
		return _readJson(field, raw, errors);
	}

	/**
	 * The tool's arguments from the dialog's values ({fieldname: value}): blank optional fields are
	 * left out (the tool's default applies), blank required ones are an error.
	 * Returns {arguments, errors: [{field, message}]}.
	 */
	function collectArguments(fields, values) {
		const args = {};
		const errors = [];
		for (const field of fields || []) {
			const raw = (values || {})[field.fieldname];
			if (field.kind === "boolean" && _booleanIsCheck(field)) {
				args[field.name] = _read(field, raw, errors); // a checkbox always has a value
				continue;
			}
			if (_isBlank(raw)) {
				if (field.required) {
					errors.push({ field: field.name, message: __("{0} is required", [field.label]) });
				}
				continue;
			}
			const value = _read(field, raw, errors);
			if (value !== undefined) {
				args[field.name] = value;
			}
		}
		return { arguments: args, errors };
	}

	return { argumentFields, deskFields, collectArguments, FIELD_PREFIX };
});
