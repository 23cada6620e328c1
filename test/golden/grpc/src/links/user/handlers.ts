// Your gRPC handlers. This file is yours: `create-service-link generate` only adds stubs for new RPCs,
// keeps the signatures it wrote in line with the .proto, and marks methods whose RPC was removed; it
// never changes code you wrote. register.ts serves every class here.
import { GrpcError, status, type CallContext } from '../_runtime/grpc.js';
import type * as $msg from './messages.js';
import type * as $service from './service.js';

/** Implements user.v1.UserService. Write your code in the methods; `generate` adds stubs for new RPCs. */
export class UserServiceImpl implements $service.UserServiceHandlers {
  async getUser(request: $msg.GetUserRequest, ctx: CallContext): Promise<$msg.GetUserResponseInit> {
    throw new GrpcError(status.UNIMPLEMENTED, 'UserService.GetUser: write this handler in handlers.ts');
  }

  async *listUsers(request: $msg.ListUsersRequest, ctx: CallContext): AsyncGenerator<$msg.ListUsersResponseInit> {
    throw new GrpcError(status.UNIMPLEMENTED, 'UserService.ListUsers: write this handler in handlers.ts');
  }
}
