// Vue 3 single-file components with @vue/compiler-sfc, in the place of the esbuild-plugin-vue3 and
// frappe-vue-style plugins Frappe's build uses: <script>/<script setup> and <template> compile to one
// module; <style> blocks (SCSS through Dart Sass, `scoped` honoured) are injected into <head> when
// the component's module first runs, as Frappe's build does.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs/promises");
const path = require("node:path");
const sfc = require("@vue/compiler-sfc");
const { compile_string } = require("./sass");

// `@import "pkg/file.css"` inside a style block: Sass leaves plain CSS imports alone and a <style>
// tag could not resolve them, so they are inlined from node_modules.
async function inline_css_imports(css, node_modules) {
	const pattern = /@import\s+["']([^"']+\.css)["'];?/g;
	const parts = [];
	let last = 0;
	for (const match of css.matchAll(pattern)) {
		parts.push(css.slice(last, match.index));
		parts.push(await fs.readFile(path.join(node_modules, match[1].replace(/^~/, "")), "utf8"));
		last = match.index + match[0].length;
	}
	parts.push(css.slice(last));
	return parts.join("");
}

module.exports = function vue_sfc({ sass_options, production = false }) {
	return {
		name: "vue-sfc",
		setup(build) {
			build.onLoad({ filter: /\.vue$/ }, async (args) => {
				const filename = args.path;
				const source = await fs.readFile(filename, "utf8");
				const { descriptor, errors } = sfc.parse(source, { filename });
				if (errors.length) {
					return { errors: errors.map((e) => ({ text: `${filename}: ${e.message}` })) };
				}
				const id = crypto.createHash("sha256").update(filename).digest("hex").slice(0, 8);
				const scoped = descriptor.styles.some((s) => s.scoped);
				const out = [];
				let bindings;
				let lang = "js";
				if (descriptor.script || descriptor.scriptSetup) {
					const script = sfc.compileScript(descriptor, {
						id,
						inlineTemplate: Boolean(descriptor.scriptSetup) && production,
						genDefaultAs: "__sfc__",
					});
					bindings = script.bindings;
					lang = (descriptor.scriptSetup || descriptor.script).lang === "ts" ? "ts" : "js";
					out.push(script.content);
				} else {
					out.push("const __sfc__ = {};");
				}
				const inlined = Boolean(descriptor.scriptSetup) && production;
				if (descriptor.template && !inlined) {
					const template = sfc.compileTemplate({
						source: descriptor.template.content,
						filename,
						id,
						scoped,
						compilerOptions: { bindingMetadata: bindings },
					});
					if (template.errors.length) {
						return { errors: template.errors.map((e) => ({ text: `${filename}: ${e.message || e}` })) };
					}
					out.push(template.code.replace(/\bexport function render\(/, "function __render__("));
					out.push("__sfc__.render = __render__;");
				}
				for (const style of descriptor.styles) {
					let css = style.content;
					if (style.lang === "scss" || style.lang === "sass") {
						css = compile_string(css, filename, sass_options);
					}
					css = await inline_css_imports(css, sass_options.node_modules);
					const compiled = await sfc.compileStyleAsync({
						source: css,
						filename,
						id: `data-v-${id}`,
						scoped: style.scoped,
					});
					if (compiled.errors.length) {
						return { errors: compiled.errors.map((e) => ({ text: `${filename}: ${e.message}` })) };
					}
					out.push(
						`(function () { const s = document.createElement("style"); s.textContent = ${JSON.stringify(
							compiled.code
						)}; document.head.appendChild(s); })();`
					);
				}
				if (scoped) out.push(`__sfc__.__scopeId = "data-v-${id}";`);
				out.push(`__sfc__.__file = ${JSON.stringify(path.basename(filename))};`);
				out.push("export default __sfc__;");
				return { contents: out.join("\n"), loader: lang, resolveDir: path.dirname(filename) };
			});
		},
	};
};
