#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ keeps the compiled code of the modules loaded below in an on-disk cache (the OS temp
// folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so every run after the first starts faster.
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');

// `create-service-link --help | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
