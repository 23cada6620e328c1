// The wizard's pattern questions, asked from the option declarations (src/core/options.ts): in the
// set's question order, only for options no flag gave, each answer checked where it is typed (a
// contract file also read and parsed there). An Interview remembers what was asked, so the review
// before writing can change one answer without asking the others again.
import {
  byLink,
  flagName,
  isUnset,
  problem,
  type Answers,
  type OptionContext,
  type OptionDecl,
  type OptionSet,
  type Prompts,
  type Question,
} from '../core/options.js';
import { contractProblem, isContractFlag } from './contract-check.js';

export interface Interview {
  readonly set: OptionSet;
  readonly flags: Answers;
  /** The project root: contract paths are checked from there. */
  readonly root: string;
  /** The flags merged with the answers so far (still raw, see resolveOptions). */
  readonly values: Record<string, unknown>;
  /** Keys asked (answered, declined or left empty) -> the keys their answer set. */
  readonly asked: Map<string, string[]>;
}

export function startInterview(set: OptionSet, flags: Answers, root = process.cwd()): Interview {
  return { set, flags, root, values: { ...flags }, asked: new Map() };
}

/** Asks each question that applies and was neither given by a flag nor asked already. */
export async function askRemaining(prompts: Prompts, iv: Interview, ctx: OptionContext): Promise<void> {
  for (const key of iv.set.questions) {
    const question = iv.set.decls[key]!.prompt;
    if (!question || iv.asked.has(key) || !isUnset(iv.values[key])) continue;
    if (question.when && !question.when(iv.values, iv.flags)) continue;
    await askKey(prompts, iv, ctx, key);
  }
}

/** Asks one question again (the review's "Change"), drops answers that no longer apply, asks what now does. */
export async function changeAnswer(prompts: Prompts, iv: Interview, ctx: OptionContext, key: string): Promise<void> {
  forget(iv, key);
  await askKey(prompts, iv, ctx, key);
  for (const [other] of iv.asked) {
    const when = iv.set.decls[other]!.prompt?.when;
    if (other !== key && when && !when(iv.values, iv.flags)) forget(iv, other);
  }
  await askRemaining(prompts, iv, ctx);
}

/** After a new link name: answers that were that name's defaults follow the new name (USER_SERVICE_URL -> ...). */
export function renameDefaults(iv: Interview, from: OptionContext, to: OptionContext): void {
  for (const [key] of iv.asked) {
    const decl = iv.set.decls[key]!;
    const before = offeredDefault(decl, decl.prompt!, from);
    const value = iv.values[key];
    const current = Array.isArray(value) && value.length === 1 ? value[0] : value;
    if (before !== undefined && current === before) {
      const after = offeredDefault(decl, decl.prompt!, to);
      iv.values[key] = Array.isArray(value) ? [after] : after;
    }
  }
}

/** The asked questions as label and answer, for the review. */
export function answersOf(iv: Interview, ctx: OptionContext): { key: string; label: string; answer: string }[] {
  return [...iv.asked.keys()].map((key) => {
    const decl = iv.set.decls[key]!;
    const q = decl.prompt!;
    const label = (q.message === undefined ? undefined : byLink(q.message, ctx)) ?? q.gate ?? flagName(decl);
    // A compound question (the gRPC RPC loop, REST's side) shows every value it gave; a yes as its flag.
    const gave = iv.asked.get(key) ?? [key];
    const keys = q.ask ? Object.keys(iv.set.decls).filter((k) => gave.includes(k) && !isUnset(iv.values[k])) : [key];
    const answer = keys
      .map((k) => (q.ask && iv.values[k] === true ? flagName(iv.set.decls[k]!) : show(iv.set.decls[k]!, iv.values[k])))
      .join('; ');
    return { key, label: label.replace(/[\s:?]+$/, ''), answer };
  });
}

function show(decl: OptionDecl, value: unknown): string {
  if (isUnset(value)) return decl.prompt?.gate ? 'no' : '(none)';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (decl.type === 'choice' && typeof value === 'string') return decl.choices[value] ?? value;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Sets the keys an earlier answer set back to what the flags gave. */
function forget(iv: Interview, key: string): void {
  for (const k of iv.asked.get(key) ?? [key]) {
    if (iv.flags[k] === undefined) delete iv.values[k];
    else iv.values[k] = iv.flags[k];
  }
  iv.asked.delete(key);
}

async function askKey(prompts: Prompts, iv: Interview, ctx: OptionContext, key: string): Promise<void> {
  const decl = iv.set.decls[key]!;
  const question = decl.prompt!;
  iv.asked.set(key, [key]);
  if (question.gate && !(await prompts.confirm({ message: question.gate, default: false }))) return;
  if (question.ask) {
    const answers = await question.ask(prompts, ctx, iv.values);
    Object.assign(iv.values, answers);
    iv.asked.set(key, [key, ...Object.keys(answers)]);
    return;
  }
  const answer = await askOne(prompts, decl, question, ctx, iv.root);
  if (!isUnset(answer)) iv.values[key] = answer;
}

/** Asks what the flags did not give; returns the flags merged with the answers (still raw, see resolveOptions). */
export async function askOptions(
  prompts: Prompts,
  set: OptionSet,
  ctx: OptionContext,
  flags: Answers,
  root?: string,
): Promise<Record<string, unknown>> {
  const iv = startInterview(set, flags, root);
  await askRemaining(prompts, iv, ctx);
  return iv.values;
}

/** inquirer's validate: true, or the message to show under the question (a contract file is also read and parsed). */
async function check(decl: OptionDecl, text: string, root: string): Promise<true | string> {
  const value = text.trim();
  const bad = problem(decl, value);
  if (bad !== undefined) return bad;
  const flag = flagName(decl);
  return (value && isContractFlag(flag) ? await contractProblem(flag, value, root) : undefined) ?? true;
}

function offeredDefault(decl: OptionDecl, question: Question, ctx: OptionContext): string | undefined {
  return byLink(question.default, ctx) ?? (decl.type === 'string' ? byLink(decl.default, ctx) : undefined);
}

async function askOne(
  prompts: Prompts,
  decl: OptionDecl,
  question: Question,
  ctx: OptionContext,
  root: string,
): Promise<unknown> {
  const message = byLink(question.message, ctx) ?? decl.description;
  if (decl.type === 'boolean') return prompts.confirm({ message, default: decl.default ?? false });
  if (decl.type === 'choice') {
    const choices = Object.entries(decl.choices).map(([value, name]) => ({ value, name }));
    return prompts.select({ message, choices, default: decl.default });
  }
  const offered = offeredDefault(decl, question, ctx);
  const validate = (v: string) => check(decl, v, root);
  if (decl.type === 'string') return (await prompts.input({ message, default: offered, validate })).trim();
  const list = question.list ?? 'one';
  if (list === 'one') {
    const answer = (await prompts.input({ message, default: offered, validate })).trim();
    return answer ? [answer] : [];
  }
  if (list === 'csv') {
    const items = (text: string) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    const validateAll = async (v: string) => {
      const parts = items(v);
      if (!parts.length) return validate('');
      for (const part of parts) {
        const result = await validate(part);
        if (result !== true) return result;
      }
      return true;
    };
    return items(await prompts.input({ message, default: offered, validate: validateAll }));
  }
  // Ask again until an empty answer; the first answer may only be empty when validate accepts ''.
  const answers: string[] = [];
  for (;;) {
    const first = answers.length === 0;
    const answer = await prompts.input({
      message: first ? message : list.next,
      validate: (v) => (!first && !v.trim() ? true : validate(v)),
    });
    if (!answer.trim()) return answers;
    answers.push(answer.trim());
  }
}
