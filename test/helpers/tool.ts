// Where the tool under test lives, and what a run of its CLI gives back: shared by the helpers that run
// it as a process (project.ts) and in the test's own process (in-process.ts).
import path from 'node:path';

export const TOOL_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(TOOL_ROOT, 'bin', 'create-service-link.js');

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}
