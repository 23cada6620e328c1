import { describe, expect, it } from 'vitest';
import { recommend, type Answers } from '../src/recommend.js';

const base: Answers = { needsResponse: true, highVolume: false, streaming: false, polyglot: false, fanOut: false };

// One row per line of the design's decision matrix, plus the default advice.
describe('recommend: the decision matrix row by row', () => {
  it('REST: simple query, the caller needs the response', () => {
    const r = recommend(base);
    expect(r.pattern).toBe('rest');
    expect(r.reasons.join(' ')).toMatch(/needs the answer/);
    expect(r.borderline).toBe(false);
  });
  it('gRPC: high-volume, performance-critical', () => {
    const r = recommend({ ...base, highVolume: true });
    expect(r.pattern).toBe('grpc');
    expect(r.reasons.join(' ')).toMatch(/benchmark/);
    expect(r.borderline).toBe(true);
  });
  it('gRPC: streaming, whatever else is true', () => {
    for (const other of [base, { ...base, needsResponse: false }, { ...base, fanOut: true }]) {
      expect(recommend({ ...other, streaming: true }).pattern).toBe('grpc');
    }
  });
  it('gRPC: high volume across several languages is not borderline', () => {
    const r = recommend({ ...base, highVolume: true, polyglot: true });
    expect(r.pattern).toBe('grpc');
    expect(r.borderline).toBe(false);
    expect(r.reasons.join(' ')).toMatch(/every language/);
  });
  it('several languages alone: REST by default advice, flagged borderline for a bench', () => {
    const r = recommend({ ...base, polyglot: true });
    expect(r.pattern).toBe('rest');
    expect(r.borderline).toBe(true);
  });
  it('queue: the caller needs no immediate response', () => {
    const r = recommend({ ...base, needsResponse: false });
    expect(r.pattern).toBe('queue');
    expect(r.reasons.join(' ')).toMatch(/asynchronously/);
  });
  it('queue: fan-out or background work, even at high volume', () => {
    expect(recommend({ ...base, fanOut: true }).pattern).toBe('queue');
    expect(recommend({ ...base, needsResponse: false, highVolume: true, fanOut: true }).pattern).toBe('queue');
  });
  it('every answer combination gives a pattern with reasons', () => {
    for (let bits = 0; bits < 32; bits++) {
      const a: Answers = {
        needsResponse: !!(bits & 1),
        highVolume: !!(bits & 2),
        streaming: !!(bits & 4),
        polyglot: !!(bits & 8),
        fanOut: !!(bits & 16),
      };
      const r = recommend(a);
      expect(['rest', 'grpc', 'queue']).toContain(r.pattern);
      expect(r.reasons.length).toBeGreaterThan(0);
    }
  });
});
