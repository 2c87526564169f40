// The schema-to-form generator of the tool tester (public/js/fac_admin/schema_form.js): JSON Schema
// properties as pydantic writes them become desk fields, and the fields' values become the tool's
// arguments (typed, blanks left out, one message per field that cannot be read).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { argumentFields, deskFields, collectArguments } = require("../../frappe_assistant_core/public/js/fac_admin/schema_form.js");

// Shapes taken from the app's own tools' inputSchema (tools/list), trimmed.
const SCHEMA = {
	type: "object",
	additionalProperties: false,
	required: ["doctype", "analysis_type"],
	properties: {
		doctype: { type: "string", minLength: 1, description: "DocType to read, e.g. 'ToDo'." },
		analysis_type: { type: "string", enum: ["profile", "statistics"], description: "What to compute." },
		limit: { type: "integer", default: 20, minimum: 1, maximum: 100, description: "Rows." },
		ratio: { type: "number", description: "A share." },
		validate_only: { type: "boolean", default: false, description: "Dry run." },
		custom: { anyOf: [{ type: "boolean" }, { type: "null" }], default: null, description: "Custom DocTypes only." },
		fields: { anyOf: [{ type: "array", items: { type: "string" } }, { type: "null" }], default: null },
		filters: {
			anyOf: [{ type: "object", additionalProperties: true }, { type: "array", items: { type: "array" } }, { type: "null" }],
			default: null,
		},
		data: { type: "object", additionalProperties: true },
		code: { type: "string", maxLength: 100000, minLength: 1 },
		report_type: { anyOf: [{ type: "string", enum: ["Report Builder", "Query Report"] }, { type: "null" }], default: null },
		data_query: { anyOf: [{ $ref: "#/$defs/DataQuery" }, { type: "null" }], default: null },
		level: { allOf: [{ $ref: "#/$defs/Level" }], default: 2 },
	},
	$defs: {
		DataQuery: { type: "object", properties: { doctype: { type: "string" } }, required: ["doctype"] },
		Level: { type: "integer", enum: [1, 2, 3] },
	},
};

const byName = (fields) => Object.fromEntries(fields.map((f) => [f.name, f]));

test("each property becomes one field in the schema's order, typed by what it accepts", () => {
	const fields = argumentFields(SCHEMA);
	assert.deepEqual(
		fields.map((f) => [f.name, f.kind]),
		[
			["doctype", "string"],
			["analysis_type", "enum"],
			["limit", "integer"],
			["ratio", "number"],
			["validate_only", "boolean"],
			["custom", "boolean"],
			["fields", "json"],
			["filters", "json"],
			["data", "json"],
			["code", "string"],
			["report_type", "enum"],
			["data_query", "json"],
			["level", "enum"],
		]
	);
	const f = byName(fields);
	assert.equal(f.doctype.required, true);
	assert.equal(f.limit.required, false);
	assert.equal(f.limit.default, 20);
	assert.equal(f.custom.nullable, true);
	assert.equal(f.fields.json, "array", "a nullable array is an array field");
	assert.equal(f.filters.json, null, "object or array: any JSON");
	assert.equal(f.data.json, "object");
	assert.equal(f.data_query.json, "object", "a $ref is followed");
	assert.deepEqual(f.level.options, [1, 2, 3], "allOf of one $ref is followed");
	assert.deepEqual(f.report_type.options, ["Report Builder", "Query Report"]);
	assert.equal(f.code.long, true);
	assert.equal(f.doctype.long, false);
	assert.equal(new Set(fields.map((x) => x.fieldname)).size, fields.length, "fieldnames are unique");
	assert.ok(fields.every((x) => /^fac_arg_\d+$/.test(x.fieldname)), "fieldnames are the tester's own");
});

test("desk fields: text boxes, checkboxes, selects and JSON boxes, with descriptions and defaults", () => {
	const fields = argumentFields(SCHEMA);
	const desk = Object.fromEntries(deskFields(fields).map((df, i) => [fields[i].name, df]));
	assert.deepEqual([desk.doctype.fieldtype, desk.doctype.reqd, desk.doctype.label], ["Data", 1, "doctype"]);
	assert.equal(desk.doctype.description, "DocType to read, e.g. 'ToDo'.");
	assert.deepEqual([desk.analysis_type.fieldtype, desk.analysis_type.options], ["Select", ["profile", "statistics"]]);
	assert.deepEqual(desk.report_type.options, ["", "Report Builder", "Query Report"], "optional: a blank choice");
	assert.equal(desk.limit.fieldtype, "Data", "numbers are typed in a text box: a blank stays blank");
	assert.match(desk.limit.description, /From 1 to 100\. Default: 20/);
	assert.deepEqual([desk.validate_only.fieldtype, desk.validate_only.default], ["Check", 0]);
	assert.deepEqual([desk.custom.fieldtype, desk.custom.options], ["Select", ["", "true", "false"]], "unset, true or false");
	assert.equal(desk.code.fieldtype, "Small Text");
	assert.equal(desk.filters.fieldtype, "Small Text");
	assert.match(desk.filters.description, /Any JSON value/);
	assert.match(desk.fields.description, /A JSON array/);
	assert.deepEqual(desk.level.options, ["", "1", "2", "3"]);
	assert.equal(desk.level.default, "2");
});

test("values become typed arguments; blank optional fields are left out for the tool's default", () => {
	const fields = argumentFields(SCHEMA);
	const f = byName(fields);
	const values = {
		[f.doctype.fieldname]: "ToDo",
		[f.analysis_type.fieldname]: "statistics",
		[f.limit.fieldname]: " 50 ",
		[f.ratio.fieldname]: "0.25",
		[f.validate_only.fieldname]: 1,
		[f.custom.fieldname]: "false",
		[f.fields.fieldname]: '["name", "status"]',
		[f.filters.fieldname]: '[["status", "=", "Open"]]',
		[f.data.fieldname]: "   ",
		[f.level.fieldname]: "3",
	};
	const { arguments: args, errors } = collectArguments(fields, values);
	assert.deepEqual(errors, []);
	assert.deepEqual(args, {
		doctype: "ToDo",
		analysis_type: "statistics",
		limit: 50,
		ratio: 0.25,
		validate_only: true,
		custom: false,
		fields: ["name", "status"],
		filters: [["status", "=", "Open"]],
		level: 3,
	});
});

test("an unticked checkbox is sent as false; a blank tri-state boolean is not sent", () => {
	const fields = argumentFields(SCHEMA);
	const f = byName(fields);
	const { arguments: args } = collectArguments(fields, {
		[f.doctype.fieldname]: "ToDo",
		[f.analysis_type.fieldname]: "profile",
		[f.validate_only.fieldname]: 0,
	});
	assert.equal(args.validate_only, false);
	assert.equal("custom" in args, false);
});

test("what cannot be read is one message per field, and nothing of it is sent", () => {
	const fields = argumentFields(SCHEMA);
	const f = byName(fields);
	const cases = [
		[f.limit, "ten", /limit must be a number/],
		[f.limit, "2.5", /limit must be a whole number/],
		[f.ratio, "1e400", /ratio must be a number/],
		[f.fields, "[name", /fields is not valid JSON/],
		[f.fields, '{"a": 1}', /fields must be a JSON array/],
		[f.data, "[1]", /data must be a JSON object/],
		[f.data, "null", /data must be a JSON object/],
		[f.level, "7", /level must be one of 1, 2, 3/],
	];
	for (const [field, raw, message] of cases) {
		const values = { [f.doctype.fieldname]: "ToDo", [f.analysis_type.fieldname]: "profile", [field.fieldname]: raw };
		const { arguments: args, errors } = collectArguments(fields, values);
		assert.equal(errors.length, 1, `${field.name}=${raw}`);
		assert.equal(errors[0].field, field.name);
		assert.match(errors[0].message, message);
		assert.equal(field.name in args, false);
	}
});

test("a blank required field is named; an empty schema gives no fields and no arguments", () => {
	const fields = argumentFields(SCHEMA);
	const { errors } = collectArguments(fields, {});
	assert.deepEqual(
		errors.map((e) => e.message),
		["doctype is required", "analysis_type is required"]
	);
	assert.deepEqual(argumentFields({ type: "object", properties: {} }), []);
	assert.deepEqual(argumentFields(undefined), []);
	assert.deepEqual(collectArguments([], {}), { arguments: {}, errors: [] });
});

test("a schema that loops through $ref, or an unknown $ref, still yields a JSON field", () => {
	const looping = {
		type: "object",
		properties: { a: { $ref: "#/$defs/A" }, b: { $ref: "#/$defs/Missing" } },
		$defs: { A: { $ref: "#/$defs/A" } },
	};
	const fields = argumentFields(looping);
	assert.deepEqual(
		fields.map((f) => [f.name, f.kind]),
		[
			["a", "json"],
			["b", "json"],
		]
	);
});
