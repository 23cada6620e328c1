// Handlebars renders whole generated files from a model. Templates live in <package>/templates/<pattern>/.
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TEMPLATE_ROOT = fileURLToPath(new URL('../../templates/', import.meta.url));
const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Renders templates/<pattern>/<name>.hbs. Output is code, so HTML escaping is off. */
export function render(pattern: string, name: string, data: unknown): string {
  const key = `${pattern}/${name}`;
  let template = cache.get(key);
  if (!template) {
    const source = readFileSync(`${TEMPLATE_ROOT}${key}.hbs`, 'utf8');
    template = Handlebars.compile(source, { noEscape: true, strict: true });
    cache.set(key, template);
  }
  return template(data);
}
