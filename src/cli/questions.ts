// The wizard's pattern questions, asked from the option declarations (src/core/options.ts): in the
// set's question order, only for options no flag gave, each answer checked where it is typed.
import {
  byLink,
  isUnset,
  problem,
  type Answers,
  type OptionContext,
  type OptionDecl,
  type OptionSet,
  type Prompts,
  type Question,
} from '../core/options.js';

/** Asks what the flags did not give; returns the flags merged with the answers (still raw, see resolveOptions). */
export async function askOptions(
  prompts: Prompts,
  set: OptionSet,
  ctx: OptionContext,
  flags: Answers,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = { ...flags };
  for (const key of set.questions) {
    const decl = set.decls[key]!;
    const question = decl.prompt;
    if (!question || !isUnset(values[key]) || (question.when && !question.when(values, flags))) continue;
    if (question.gate && !(await prompts.confirm({ message: question.gate, default: false }))) continue;
    if (question.ask) {
      Object.assign(values, await question.ask(prompts, ctx, values));
      continue;
    }
    const answer = await askOne(prompts, decl, question, ctx);
    if (!isUnset(answer)) values[key] = answer;
  }
  return values;
}

/** inquirer's validate: true, or the message to show under the question. */
function check(decl: OptionDecl, text: string): true | string {
  return problem(decl, text.trim()) ?? true;
}

async function askOne(prompts: Prompts, decl: OptionDecl, question: Question, ctx: OptionContext): Promise<unknown> {
  const message = byLink(question.message, ctx) ?? decl.description;
  if (decl.type === 'boolean') return prompts.confirm({ message, default: decl.default ?? false });
  if (decl.type === 'choice') {
    const choices = Object.entries(decl.choices).map(([value, name]) => ({ value, name }));
    return prompts.select({ message, choices, default: decl.default });
  }
  const offered = byLink(question.default, ctx) ?? (decl.type === 'string' ? byLink(decl.default, ctx) : undefined);
  if (decl.type === 'string')
    return (await prompts.input({ message, default: offered, validate: (v) => check(decl, v) })).trim();
  const list = question.list ?? 'one';
  if (list === 'one') {
    const answer = (await prompts.input({ message, default: offered, validate: (v) => check(decl, v) })).trim();
    return answer ? [answer] : [];
  }
  if (list === 'csv') {
    const items = (text: string) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    const validate = (v: string) => {
      const parts = items(v);
      return parts.length ? (parts.map((p) => check(decl, p)).find((r) => r !== true) ?? true) : check(decl, '');
    };
    return items(await prompts.input({ message, default: offered, validate }));
  }
  // Ask again until an empty answer; the first answer may only be empty when validate accepts ''.
  const answers: string[] = [];
  for (;;) {
    const first = answers.length === 0;
    const answer = await prompts.input({
      message: first ? message : list.next,
      validate: (v) => (!first && !v.trim() ? true : check(decl, v)),
    });
    if (!answer.trim()) return answers;
    answers.push(answer.trim());
  }
}
