// WORKAROUND for the test host only. The host (`monoframe`) is Frappe's code with the name `frappe`
// replaced by `monoframe` inside files, but not in file or folder names, nor in npm package names:
// its sources import "./monoframe/provide.js" (the file is ./frappe/provide.js), "monoframe-datatable"
// (the package is frappe-datatable) and "monoframe/public/css/..." (the framework's own public
// folder), and its templates ask for "monoframe-web.bundle.js" (built from frappe-web.bundle.js).
// These helpers map such names back to what exists. A bench needs none of this.
"use strict";

const path = require("node:path");

const HOST = "monoframe";
const UPSTREAM = "frappe";
// The host's names of npm packages Frappe publishes, and files inside them named after the package.
/** The name as it exists upstream: every `monoframe` in a specifier back to `frappe`. */
function upstream_name(specifier) {
	return specifier.split(HOST).join(UPSTREAM);
}

/** esbuild plugin: resolves the host's imports that name files, folders or packages by the new name. */
function host_names_plugin({ host_public, node_modules }) {
	return {
		name: "host-names",
		setup(build) {
			build.onResolve({ filter: new RegExp(HOST) }, async (args) => {
				if (args.pluginData === "host-names") return undefined;
				// "monoframe/public/node_modules/pkg/..." and "monoframe/public/...": the framework's
				// public folder, which links its node_modules on a bench.
				const prefix = `${HOST}/public/`;
				if (args.path.startsWith(prefix)) {
					const rest = args.path.slice(prefix.length);
					if (rest.startsWith("node_modules/")) {
						return { path: path.join(node_modules, rest.slice("node_modules/".length)) };
					}
					return { path: path.join(host_public, rest) };
				}
				const options = { kind: args.kind, resolveDir: args.resolveDir, pluginData: "host-names" };
				const direct = await build.resolve(args.path, options);
				if (!direct.errors.length) return { path: direct.path, external: direct.external };
				const renamed = await build.resolve(upstream_name(args.path), options);
				return renamed.errors.length ? undefined : { path: renamed.path, external: renamed.external };
			});
		},
	};
}

/** assets.json key the host's templates ask for: frappe-web.bundle.js -> monoframe-web.bundle.js. */
function host_bundle_name(name) {
	return name.split(UPSTREAM).join(HOST);
}

module.exports = { HOST, host_names_plugin, upstream_name, host_bundle_name };

/** Code put first in every JS bundle: the host's global object under Frappe's name, which the apps'
 * desk code (page scripts, form scripts) uses, as it does on a real bench. */
function global_alias_banner() {
	return `window.${HOST} = window.${HOST} || {}; window.${UPSTREAM} = window.${HOST};`;
}

module.exports.global_alias_banner = global_alias_banner;
