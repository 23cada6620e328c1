// Handlers for the orders queue: one per message type in asyncapi/orders.yaml.
// This file is yours. create-service-link wrote it once; `npx create-service-link generate` only adds a
// stub for a new message type, and moves the handler of a type that left the contract, unchanged, into
// a marked `removedHandlers` const below (and back into `handlers` if the type returns).
// Return to have the message deleted; throw to have it redelivered (then dead-lettered by the queue's
// redrive policy). The same message can arrive twice (at-least-once delivery): keep handlers idempotent.
import type { OrdersHandlers } from './consumer.js';

export const handlers: OrdersHandlers = {
  async OrderCreated(message, context) {
    // Handle the OrderCreated message here: `message` is its payload, `context` the rest.
    throw new Error(`no handler written yet for ${context.type} (message ${context.messageId})`);
  },
  async OrderCancelled(message, context) {
    // Handle the OrderCancelled message here: `message` is its payload, `context` the rest.
    throw new Error(`no handler written yet for ${context.type} (message ${context.messageId})`);
  },
};
