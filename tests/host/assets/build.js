// `bench build` for the test host: bundles every app's `public/**/*.bundle.{js,ts,css,scss,sass}` with
// esbuild into OUT/<app>/dist/{js,css}/<name>.bundle.<hash>.{js,css}, writes OUT/assets.json
// ({"desk.bundle.js": "/assets/<app>/dist/js/desk.bundle.<hash>.js", ...}, the manifest the framework's
// bundled_asset() and the desk's frappe.require read) and lays out OUT as a bench's sites/assets:
// OUT/<app>/ links to the app's public files. Facts from Frappe's own esbuild build; test-only.
//
// Usage: node build.js --out DIR --app NAME=PUBLIC_DIR [--app ...] [--host-app NAME] [--production]
// Skips the build when nothing it reads changed since the last one (OUT/.inputs.sha256).
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");
const glob = require("fast-glob");
const html_templates = require("./plugins/html");
const { scss_plugin } = require("./plugins/sass");
const vue_sfc = require("./plugins/vue");
const host = require("./plugins/host-names");

const NODE_MODULES = path.join(__dirname, "node_modules");
const BUNDLES = "**/*.bundle.{js,ts,css,scss,sass}";
const STYLE = /\.(css|scss|sass)$/;
// Fonts and images that stylesheets point at are copied next to the CSS, hashed, as Frappe's build does.
const FILE_LOADERS = Object.fromEntries(
	[".woff", ".woff2", ".ttf", ".eot", ".svg", ".png", ".jpg", ".jpeg", ".gif"].map((ext) => [ext, "file"])
);

function parse_args(argv) {
	const args = { apps: [], host_app: null, production: false, out: null, force: false };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === "--out") args.out = path.resolve(argv[++i]);
		else if (arg === "--app") {
			const [name, dir] = argv[++i].split("=");
			args.apps.push({ name, public_dir: path.resolve(dir) });
		} else if (arg === "--host-app") args.host_app = argv[++i];
		else if (arg === "--production") args.production = true;
		else if (arg === "--force") args.force = true;
		else throw new Error(`unknown argument ${arg}`);
	}
	if (!args.out || !args.apps.length) throw new Error("usage: build.js --out DIR --app NAME=PUBLIC_DIR ...");
	return args;
}

/** Digest of everything the build reads: its own code and lock file, and every app's public tree. */
function inputs_digest(args) {
	const hash = crypto.createHash("sha256");
	hash.update(JSON.stringify({ ...args, node: process.versions.node }));
	const own = glob.sync(["build.js", "package-lock.json", "plugins/*.js"], { cwd: __dirname }).sort();
	for (const file of own) hash.update(file).update(fs.readFileSync(path.join(__dirname, file)));
	for (const app of args.apps) {
		const files = glob
			.sync("**/*", { cwd: app.public_dir, ignore: ["node_modules/**", "dist/**"], followSymbolicLinks: false })
			.sort();
		for (const file of files) hash.update(file).update(fs.readFileSync(path.join(app.public_dir, file)));
	}
	return hash.digest("hex");
}

/** OUT/<app>/: a link to each entry of the app's public folder, plus the built dist/ (as on a bench,
 * where bench links sites/assets/<app> to the app's public folder and builds into its dist/). */
function lay_out(args) {
	for (const app of args.apps) {
		const target = path.join(args.out, app.name);
		fs.rmSync(target, { recursive: true, force: true });
		fs.mkdirSync(path.join(target, "dist"), { recursive: true });
		const entries = fs.readdirSync(app.public_dir).filter((e) => e !== "dist" && e !== "node_modules");
		if (app.name === args.host_app) {
			host.link_public_tree(app.public_dir, target, entries);
			// The framework's pages load a few files straight from its node_modules.
			fs.symlinkSync(NODE_MODULES, path.join(target, "node_modules"));
			continue;
		}
		for (const entry of entries) {
			fs.symlinkSync(path.join(app.public_dir, entry), path.join(target, entry));
		}
	}
}

function entry_points(app, kind) {
	const files = glob.sync(BUNDLES, { cwd: app.public_dir, ignore: ["node_modules/**", "dist/**"] });
	const entries = {};
	for (const file of files.sort()) {
		const is_style = STYLE.test(file);
		if ((kind === "style") !== is_style) continue;
		const name = path.basename(file, path.extname(file));
		entries[path.join(app.name, "dist", is_style ? "css" : "js", name)] = path.join(app.public_dir, file);
	}
	return entries;
}

async function build(args) {
	const host_app = args.apps.find((a) => a.name === args.host_app);
	const sass_options = {
		node_modules: NODE_MODULES,
		load_paths: args.apps.map((a) => path.dirname(path.dirname(a.public_dir))),
		rename: host_app ? host.upstream_name : null,
	};
	const plugins = host_app
		? [host.host_names_plugin({ host_public: host_app.public_dir, node_modules: NODE_MODULES })]
		: [];
	const common = {
		outdir: args.out,
		entryNames: "[dir]/[name].[hash]",
		assetNames: "[dir]/[name].[hash]",
		bundle: true,
		metafile: true,
		minify: args.production,
		sourcemap: true,
		logLevel: "warning",
		// Frappe's build resolves bare imports from the apps' node_modules and from the apps folder.
		nodePaths: [NODE_MODULES, ...sass_options.load_paths],
		loader: FILE_LOADERS,
		// Stylesheets point at the apps' public files by URL (/assets/<app>/...): served, not bundled.
		external: ["/assets/*"],
	};
	const js = esbuild.build({
		...common,
		entryPoints: Object.assign({}, ...args.apps.map((a) => entry_points(a, "js"))),
		target: ["es2020"],
		define: {
			"process.env.NODE_ENV": JSON.stringify(args.production ? "production" : "development"),
			__VUE_OPTIONS_API__: "true",
			__VUE_PROD_DEVTOOLS__: "false",
			__VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
		},
		banner: host_app ? { js: host.global_alias_banner() } : undefined,
		plugins: [
			...plugins,
			html_templates({ namespace_global: host_app ? host.HOST : "frappe" }),
			vue_sfc({ sass_options, production: args.production }),
		],
	});
	const css = esbuild.build({
		...common,
		entryPoints: Object.assign({}, ...args.apps.map((a) => entry_points(a, "style"))),
		plugins: [...plugins, scss_plugin(sass_options)],
	});
	return Promise.all([js, css]);
}

function write_manifest(args, results) {
	const manifest = {};
	for (const result of results) {
		for (const [output, info] of Object.entries(result.metafile.outputs)) {
			if (!info.entryPoint || output.endsWith(".map")) continue;
			const url = "/assets/" + path.relative(args.out, path.resolve(output)).split(path.sep).join("/");
			// Named as templates ask for them: desk.bundle.scss as desk.bundle.css; the CSS a JS bundle
			// imports (esbuild writes it beside the JS) as that bundle's name with .css.
			const source = path.basename(info.entryPoint);
			const key = source.replace(/\.(js|ts|css|scss|sass)$/, path.extname(output));
			manifest[key] = url;
			if (args.host_app) manifest[host.host_bundle_name(key)] = url;
		}
	}
	fs.writeFileSync(path.join(args.out, "assets.json"), JSON.stringify(manifest, null, 4) + "\n");
	return manifest;
}

async function main() {
	const args = parse_args(process.argv.slice(2));
	const started = Date.now();
	const digest = inputs_digest(args);
	const stamp = path.join(args.out, ".inputs.sha256");
	if (!args.force && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8").trim() === digest) {
		console.log(`assets up to date in ${args.out}`);
		return;
	}
	fs.mkdirSync(args.out, { recursive: true });
	fs.rmSync(stamp, { force: true });
	lay_out(args);
	const results = await build(args);
	const manifest = write_manifest(args, results);
	fs.writeFileSync(stamp, digest + "\n");
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	console.log(`built ${Object.keys(manifest).length} bundles into ${args.out} in ${seconds}s`);
}

main().catch((error) => {
	if (!error.errors) console.error(error);
	process.exit(1);
});
