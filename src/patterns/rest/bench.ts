// `bench <rest link>`: REST vs gRPC on the JSON body of one of its operations (--operation, default the first).
import path from 'node:path';
import { openApiTarget, runPair } from '../../bench/target.js';
import type { LinkBench } from '../types.js';

export const bench: LinkBench = {
  async run(project, link, settings) {
    const file = path.resolve(project.root, link.contracts[0]!);
    return runPair(await openApiTarget(file, settings.operation, `link ${link.name}`), settings);
  },
};
