// Your handlers for billing service. This file is yours: `create-service-link generate` only adds a stub for
// each new operation and marks a method whose operation left the document; every other byte stays.
// Return `{ status, body }` with a status the operation declares; throw HttpError(status, detail)
// for a problem+json reply. Any other error is logged with the request ID and answered 500.
import { HttpError, type HandlerContext } from '../_runtime/rest-server.js';
import type { BillingHandlers } from './router.js';
import type * as T from './types.js';

export class BillingImpl implements BillingHandlers {
  /** `GET /invoices` */
  async listInvoices(input: T.ListInvoicesInput, ctx: HandlerContext): Promise<T.ListInvoicesReply> {
    throw new HttpError(501, 'listInvoices: write this handler in handlers.ts');
  }

  /** `POST /invoices` */
  async createInvoice(input: T.CreateInvoiceInput, ctx: HandlerContext): Promise<T.CreateInvoiceReply> {
    throw new HttpError(501, 'createInvoice: write this handler in handlers.ts');
  }

  /** `GET /invoices/{id}` */
  async getInvoice(input: T.GetInvoiceInput, ctx: HandlerContext): Promise<T.GetInvoiceReply> {
    throw new HttpError(501, 'getInvoice: write this handler in handlers.ts');
  }

  /** `PUT /invoices/{id}` */
  async updateInvoice(input: T.UpdateInvoiceInput, ctx: HandlerContext): Promise<T.UpdateInvoiceReply> {
    throw new HttpError(501, 'updateInvoice: write this handler in handlers.ts');
  }

  /** `DELETE /invoices/{id}` */
  async deleteInvoice(input: T.DeleteInvoiceInput, ctx: HandlerContext): Promise<T.DeleteInvoiceReply> {
    throw new HttpError(501, 'deleteInvoice: write this handler in handlers.ts');
  }
}
