// The one way generated files are rendered: Handlebars templates (templates/<pattern>/<name>.hbs),
// precompiled at build time by scripts/precompile-templates.mjs into dist/templates/<pattern>.cjs, so a
// run compiles no template and loads only the Handlebars runtime and its own pattern's templates.
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import type { TemplateName } from '../../dist/templates/index.js';
import { fits } from './layout.js';

export type { TemplateName };

type Spec = Parameters<typeof Handlebars.template>[0];

const require = createRequire(import.meta.url);
// The runtime's single-file build: one file instead of the ~20 CommonJS modules of
// `handlebars/runtime`, which take twice as long to load (the same trade as contracts/proto-lib.ts).
const runtime = require('handlebars/dist/handlebars.runtime.min.js') as typeof Handlebars;
const cache = new Map<TemplateName, Handlebars.TemplateDelegate>();

// `{{#fit}}one line{{else}}the same, broken{{/fit}}`: the first layout when each of its lines stays
// within 120 columns, else the second. For template lines whose length depends on contract names, so
// they break only when those names make them long, as a formatter would.
runtime.registerHelper('fit', function (this: unknown, options: Handlebars.HelperOptions): string {
  const text = options.fn(this);
  return text.split('\n').every((line) => fits(line)) ? text : options.inverse(this);
});

function template(name: TemplateName): Handlebars.TemplateDelegate {
  let compiled = cache.get(name);
  if (!compiled) {
    const at = name.indexOf('/');
    const pattern = name.slice(0, at);
    const file = name.slice(at + 1);
    // dist/templates/ is at the same place from dist/codegen/ and from src/codegen/ (tests run the sources).
    const spec = (require(`../../dist/templates/${pattern}.cjs`) as Partial<Record<string, Spec>>)[file];
    if (!spec) throw new Error(`no template ${name} (run the build: npm run build)`);
    cache.set(name, (compiled = runtime.template(spec)));
  }
  return compiled;
}

/** Renders a template (e.g. 'grpc/client.ts') over a view. Output is code: no escaping; a missing name throws. */
export function render(name: TemplateName, view: object): string {
  return template(name)(view);
}
