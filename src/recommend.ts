// The decision matrix as a pure function: answers -> {pattern, reasons}.
//
// | Pattern       | Latency      | Coupling  | When to use                                              |
// | REST          | Medium       | Loose     | Simple queries, the caller needs the response            |
// | gRPC          | Low          | Tight     | High-volume, performance-critical, streaming, polyglot   |
// | Message queue | High (async) | Decoupled | Background work, no immediate response needed, fan-out   |
//
// Default advice: REST for cross-service queries, queues for async workflows, gRPC only when volume or
// streaming needs it ("when you've benchmarked and proven you need it").
import type { PatternId } from './patterns/types.js';

export interface Answers {
  /** The caller needs the answer before it can continue. */
  needsResponse: boolean;
  /** Many calls per second or a tight latency budget. */
  highVolume: boolean;
  /** Many messages over one call, in either direction. */
  streaming: boolean;
  /** Callers or the service are written in several languages. */
  polyglot: boolean;
  /** One event must reach several consumers, or the work can run in the background. */
  fanOut: boolean;
}

export interface Recommendation {
  pattern: PatternId;
  reasons: string[];
  /** True when REST and gRPC are both defensible: measuring (`bench`) should decide. */
  borderline: boolean;
}

export function recommend(a: Answers): Recommendation {
  if (a.streaming) {
    const reasons = [
      'the call streams many messages, which gRPC supports natively (server, client and bidirectional streams)',
    ];
    if (a.highVolume) reasons.push('high volume and low latency favour gRPC’s binary protocol over HTTP/2');
    if (a.polyglot) reasons.push('one .proto gives typed stubs to every language involved');
    return { pattern: 'grpc', reasons, borderline: false };
  }
  if (!a.needsResponse || a.fanOut) {
    const reasons: string[] = [];
    if (!a.needsResponse) reasons.push('the caller needs no immediate response, so the work can run asynchronously');
    if (a.fanOut)
      reasons.push('a queue decouples the services: work runs in the background and can fan out to several consumers');
    reasons.push(
      'the producer keeps working while the consumer is slow or down; messages wait in the queue and are retried',
    );
    if (a.needsResponse)
      reasons.push('the caller wants an answer too: send it back later (a reply queue or a status query over REST)');
    return { pattern: 'queue', reasons, borderline: false };
  }
  if (a.highVolume) {
    const reasons = [
      'the caller needs the answer and the call is high-volume or latency-critical, where gRPC’s low latency pays off',
      'gRPC couples the services tightly: benchmark your own messages first (create-service-link bench)',
    ];
    if (a.polyglot) reasons.push('one .proto gives typed stubs to every language involved');
    return { pattern: 'grpc', reasons, borderline: !a.polyglot };
  }
  const reasons = [
    'the caller needs the answer now and the call is a simple query: REST is the default for cross-service queries',
    'REST keeps the services loosely coupled and is easy to debug with any HTTP tool',
  ];
  if (a.polyglot)
    reasons.push(
      'several languages: gRPC would also fit (typed stubs everywhere), but without volume or streaming REST is the default advice',
    );
  return { pattern: 'rest', reasons, borderline: a.polyglot };
}
