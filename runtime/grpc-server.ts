// What a production gRPC server needs besides its own services: the grpc.health.v1 health service,
// server reflection (v1 and v1alpha) and a graceful drain. Both services are grpc-node's own packages
// (grpc-health-check, @grpc/reflection); this module only wires them to a server and its shutdown.
import type * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';

const HEALTH_SERVICE = 'grpc.health.v1.Health';

export interface ProductionOptions {
  /** Serve grpc.health.v1.Health (default true). */
  health?: boolean | undefined;
  /** Serve server reflection, v1 and v1alpha (default true), for `buf curl --reflect` and grpcurl. */
  reflection?: boolean | undefined;
}

/** What the link's register.ts knows about its services. */
export interface ServedServices {
  /** Full names of the services (user.v1.UserService), each with its own health status. */
  names: readonly string[];
  /** The .proto files as serialized FileDescriptorProtos (base64), made by `generate`. */
  descriptors: readonly string[];
}

/** The health statuses of one server: the overall one ("") and one per service. */
export class ServingStatus {
  readonly #health: HealthImplementation | undefined;
  readonly #names: readonly string[];

  constructor(health: HealthImplementation | undefined, names: readonly string[]) {
    this.#health = health;
    this.#names = names;
    this.set(true);
  }

  /** SERVING or NOT_SERVING for the server and every service. */
  set(serving: boolean): void {
    const value = serving ? 'SERVING' : 'NOT_SERVING';
    for (const name of ['', ...this.#names]) this.#health?.setStatus(name, value);
  }
}

/** Adds the health and reflection services (each unless switched off) to `server`. */
export function addProductionServices(
  server: grpc.Server,
  services: ServedServices,
  options: ProductionOptions = {},
): ServingStatus {
  const health = options.health === false ? undefined : new HealthImplementation();
  health?.addToServer(server);
  if (options.reflection !== false) {
    // @grpc/reflection reads the descriptors of a proto-loader package definition: ours are embedded
    // (with the health service's), and it lists only the services this server serves.
    const fileDescriptorProtos = services.descriptors.map((d) => Buffer.from(d, 'base64'));
    const definition = { files: { format: 'Protocol Buffer 3 EnumDescriptorProto', type: {}, fileDescriptorProtos } };
    const served = health ? [...services.names, HEALTH_SERVICE] : [...services.names];
    const pkg = definition as ConstructorParameters<typeof ReflectionService>[0];
    new ReflectionService(pkg, { services: served }).addToServer(server);
  }
  return new ServingStatus(health, services.names);
}

export interface DrainOptions {
  /** Milliseconds between NOT_SERVING and closing the listeners, so load balancers stop routing here (default 0). */
  delayMs?: number | undefined;
  /** Milliseconds in-flight calls get to finish before they are cancelled (default 10000). */
  timeoutMs?: number | undefined;
}

/** What the server's environment says: `<PREFIX>_HEALTH`, `_REFLECTION` ("false" turns off), `_DRAIN_*_MS`. */
export interface ProductionSettings {
  health: boolean;
  reflection: boolean;
  drain: DrainOptions;
}

// Here rather than in the user's own server.ts, so a fix to how settings are read reaches every server.
const off = (value: string | undefined): boolean => value !== undefined && /^(0|false|no)$/i.test(value.trim());
// A setting that is not a number of milliseconds is taken as unset (the default).
const millis = (value: string | undefined): number | undefined =>
  value && Number(value) >= 0 ? Number(value) : undefined;

export function productionSettings(
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
): ProductionSettings {
  return {
    health: !off(env[`${prefix}_HEALTH`]),
    reflection: !off(env[`${prefix}_REFLECTION`]),
    drain: { delayMs: millis(env[`${prefix}_DRAIN_DELAY_MS`]), timeoutMs: millis(env[`${prefix}_DRAIN_TIMEOUT_MS`]) },
  };
}

/**
 * Graceful stop: health answers NOT_SERVING, then (after `delayMs`) the server stops accepting calls
 * and waits for the calls in flight; those still running after `timeoutMs` are cancelled.
 * Resolves with how it ended.
 */
export async function drainServer(
  server: grpc.Server,
  status: ServingStatus | undefined,
  options: DrainOptions = {},
): Promise<'drained' | 'forced'> {
  status?.set(false);
  const delay = options.delayMs ?? 0;
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve('forced');
    }, options.timeoutMs ?? 10_000);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve('drained');
    });
  });
}
