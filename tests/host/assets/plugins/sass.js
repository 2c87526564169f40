// SCSS with Dart Sass (Frappe's build uses `sass` too): `*.scss` entries and imports compile to CSS
// that esbuild then bundles. `~pkg/...` means a package in node_modules, as in webpack and Frappe's
// build; `rename(url)` names a fallback for an import that resolves to nothing (see host-names.js).
"use strict";

const path = require("node:path");
const { pathToFileURL } = require("node:url");
const sass = require("sass");

function sass_options({ node_modules, load_paths = [], rename = null }) {
	const importers = [
		{
			findFileUrl(url) {
				if (!url.startsWith("~")) return null;
				return pathToFileURL(path.join(node_modules, url.slice(1)));
			},
		},
	];
	if (rename) {
		importers.push({
			findFileUrl(url, context) {
				const renamed = rename(url);
				if (renamed === url) return null;
				if (renamed.startsWith("~")) return pathToFileURL(path.join(node_modules, renamed.slice(1)));
				return context.containingUrl ? new URL(renamed, context.containingUrl) : null;
			},
		});
	}
	return {
		loadPaths: [node_modules, ...load_paths],
		importers,
		// Bootstrap 4 and the framework's own SCSS predate Sass's module system; their deprecation
		// warnings say nothing about this build.
		quietDeps: true,
		logger: sass.Logger.silent,
	};
}

function compile_file(file, options) {
	return sass.compile(file, { ...sass_options(options), style: "expanded" }).css;
}

function compile_string(source, file, options) {
	return sass.compileString(source, { ...sass_options(options), url: pathToFileURL(file), syntax: "scss" })
		.css;
}

function scss_plugin(options) {
	return {
		name: "scss",
		setup(build) {
			build.onLoad({ filter: /\.s[ac]ss$/ }, (args) => {
				try {
					return {
						contents: compile_file(args.path, options),
						loader: "css",
						resolveDir: path.dirname(args.path),
						watchFiles: [args.path],
					};
				} catch (error) {
					return { errors: [{ text: String(error.message || error) }] };
				}
			});
		},
	};
}

module.exports = { scss_plugin, compile_string };
