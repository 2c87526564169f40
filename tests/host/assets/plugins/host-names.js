// WORKAROUND for the test host only. The host (`monoframe`) is Frappe's code with the name `frappe`
// replaced by `monoframe` inside files, but not in file or folder names, nor in npm package names:
// its sources import "./monoframe/provide.js" (the file is ./frappe/provide.js), "monoframe-datatable"
// (the package is frappe-datatable) and "monoframe/public/css/..." (the framework's own public
// folder), and its templates ask for "monoframe-web.bundle.js" (built from frappe-web.bundle.js).
// These helpers map such names back to what exists. A bench needs none of this.
"use strict";

const fs = require("node:fs");
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

/** Links `target/<entry>` to the host's public files one file at a time, adding the name the host's
 * pages ask for beside every file or folder named after upstream (/assets/monoframe/images/
 * monoframe-favicon.svg is images/frappe-favicon.svg). */
function link_public_tree(public_dir, target, entries) {
	const walk = (relative) => {
		const source = path.join(public_dir, relative);
		const names = [relative];
		if (path.basename(relative).includes(UPSTREAM)) {
			names.push(path.join(path.dirname(relative), path.basename(relative).split(UPSTREAM).join(HOST)));
		}
		if (fs.statSync(source).isDirectory()) {
			for (const name of names) fs.mkdirSync(path.join(target, name), { recursive: true });
			for (const child of fs.readdirSync(source)) walk(path.join(relative, child));
			return;
		}
		for (const name of names) {
			const parent = path.join(target, path.dirname(name));
			fs.mkdirSync(parent, { recursive: true });
			fs.symlinkSync(source, path.join(target, name));
		}
	};
	for (const entry of entries) walk(entry);
	// The host's hooks name app_logo_url images/monoframe-logo.svg, a file it does not ship under any
	// name; Frappe's hooks name its framework logo, which the host does ship.
	const logo = path.join(target, "images", `${HOST}-logo.svg`);
	if (!fs.existsSync(logo)) {
		fs.symlinkSync(path.join(public_dir, "images", `${UPSTREAM}-framework-logo.svg`), logo);
	}
}

/** assets.json key the host's templates ask for: frappe-web.bundle.js -> monoframe-web.bundle.js. */
function host_bundle_name(name) {
	return name.split(UPSTREAM).join(HOST);
}

module.exports = { HOST, host_names_plugin, upstream_name, host_bundle_name, link_public_tree };

/** Code put first in every JS bundle: the host's global object under Frappe's name, which the apps'
 * desk code (page scripts, form scripts) uses, as it does on a real bench. */
function global_alias_banner() {
	return `window.${HOST} = window.${HOST} || {}; window.${UPSTREAM} = window.${HOST};`;
}

module.exports.global_alias_banner = global_alias_banner;
