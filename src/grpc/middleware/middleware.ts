import type { Metadata } from '@grpc/grpc-js';

/** The method a call is for, parsed once from its path `/package.Service/Method`. */
export interface RpcMethod {
  readonly path: string;
  readonly service: string;
  readonly name: string;
}

/**
 * What a middleware sees of a unary call: a narrow view of grpc-js's server call, so unit
 * tests can hand in a plain object.
 */
export interface RpcCall<Req = unknown> {
  readonly method: RpcMethod;
  readonly request: Req;
  /** The caller's metadata. */
  readonly metadata: Metadata;
  /** The caller's deadline as grpc-js gives it (a Date, or a number where Infinity means none). */
  getDeadline(): Date | number;
  /** Sends the response headers; grpc-js sends them at most once. */
  sendMetadata(metadata: Metadata): void;
  /** Calls `listener` when the caller cancels; returns a function that stops listening. */
  onCancelled(listener: () => void): () => void;
}

/** Runs the rest of the chain with the context a middleware hands on. */
export type Next<Ctx, Res> = (context: Ctx) => Promise<Res>;

/**
 * One step of the chain: `(call, context, next) => response`. It needs a context with at
 * least `Needs`, and calls `next` with that context plus `Adds`. Whatever it throws (or lets
 * through) ends the call; the adapter to grpc-js turns it into a status.
 */
export type Middleware<Needs extends object = object, Adds extends object = object> = <Req, Res, Ctx extends Needs>(
  call: RpcCall<Req>,
  context: Ctx,
  next: Next<Ctx & Adds, Res>,
) => Promise<Res>;

/** The innermost step: the service's own handler. */
export type Endpoint<Req, Res, Ctx> = (request: Req, context: Ctx) => Promise<Res>;

/** An ordered chain of middleware; each `use` wraps the ones added after it. */
export interface Pipeline<Ctx extends object> {
  /**
   * A new pipeline with `middleware` appended (run after, i.e. inside, those already there).
   * It compiles only when the middleware before it provide what it needs.
   */
  use<Needs extends object, Adds extends object>(
    middleware: Middleware<Needs, Adds>,
    ..._needsMet: Ctx extends Needs ? [] : [never]
  ): Pipeline<Ctx & Adds>;
  /** Runs `call` through every middleware in order, then through `endpoint`. */
  run<Req, Res>(call: RpcCall<Req>, endpoint: Endpoint<Req, Res, Ctx>): Promise<Res>;
}

type AnyMiddleware = (call: RpcCall, context: object, next: Next<object, unknown>) => Promise<unknown>;

/** The composer: an empty pipeline to `use` middleware on, outermost first. */
export function pipeline(): Pipeline<object> {
  return build([]);
}

function build<Ctx extends object>(steps: readonly AnyMiddleware[]): Pipeline<Ctx> {
  return {
    use<Needs extends object, Adds extends object>(
      middleware: Middleware<Needs, Adds>,
      ..._needsMet: Ctx extends Needs ? [] : [never]
    ): Pipeline<Ctx & Adds> {
      return build<Ctx & Adds>([...steps, middleware as unknown as AnyMiddleware]);
    },
    run<Req, Res>(call: RpcCall<Req>, endpoint: Endpoint<Req, Res, Ctx>): Promise<Res> {
      const dispatch = (index: number, context: object): Promise<unknown> => {
        const step = steps[index];
        if (!step) return endpoint(call.request, context as Ctx);
        return step(call, context, (next) => dispatch(index + 1, next));
      };
      return dispatch(0, {}) as Promise<Res>;
    },
  };
}
