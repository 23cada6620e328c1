// `bench <grpc link>`: REST vs gRPC on a message of its .proto files (--message, default the first unary response).
import path from 'node:path';
import { protoTarget, runPair } from '../../bench/target.js';
import type { LinkBench } from '../types.js';
import { grpcStored } from './options.js';

export const bench: LinkBench = {
  async run(project, link, settings) {
    const abs = (p: string) => path.resolve(project.root, p);
    const { protoPath } = grpcStored(link);
    return runPair(
      await protoTarget(link.contracts.map(abs), protoPath.map(abs), settings.message, `link ${link.name}`),
      settings,
    );
  },
};
