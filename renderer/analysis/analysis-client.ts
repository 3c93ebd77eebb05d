import type { AnalysisMessage, AnalysisReply, AnalysisRequest, AnalysisResults } from './analysis-protocol.js';

/**
 * Promise-based calls into the analysis worker. One worker serves the page; requests are answered
 * in order. Buffers passed in are transferred, so callers hand over copies they no longer need.
 */
export class AnalysisClient {
  private readonly worker = new Worker('analysis-worker.js', { type: 'module', name: 'analysis' });
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<AnalysisReply>) => {
      const reply = event.data;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new Error(reply.error));
    };
    this.worker.onerror = (event) => {
      const error = new Error(`analysis worker failed: ${event.message || 'could not start'}`);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
  }

  request<K extends AnalysisRequest['op']>(request: Extract<AnalysisRequest, { op: K }>, transfer: Transferable[] = []): Promise<AnalysisResults[K]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const message = { ...request, id } as AnalysisMessage;
      this.worker.postMessage(message, transfer);
    });
  }
}
