// `.html` imports become `frappe.templates[name] = "<file content>"`, as Frappe's frappe-html plugin
// does: the desk renders them with frappe.render_template(name). `name` is the file's name up to its
// first dot. `namespace_global` is the framework's global object (see host-names.js).
"use strict";

const fs = require("node:fs/promises");
const path = require("node:path");

module.exports = function html_templates({ namespace_global = "frappe" } = {}) {
	return {
		name: "html-templates",
		setup(build) {
			build.onLoad({ filter: /\.html$/ }, async (args) => {
				const name = path.basename(args.path).split(".")[0];
				const content = await fs.readFile(args.path, "utf8");
				return {
					contents: `${namespace_global}.templates[${JSON.stringify(name)}] = ${JSON.stringify(content)};\n`,
					loader: "js",
				};
			});
		},
	};
};
