/**
 * A request the server refuses: an HTTP status (400 bad input, 404 unknown model, 413 too large, 503 not
 * ready, 500 model failure) and a message that names the input or field at fault. Protocol front ends turn it
 * into their error body (`{"error": "..."}`) or gRPC status.
 * @module
 */

/** gRPC status codes used by the server. */
export const GRPC_STATUS = { OK: 0, INVALID_ARGUMENT: 3, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, INTERNAL: 13, UNAVAILABLE: 14 } as const;

/** A refused request. */
export class RequestError extends Error {
  constructor(
    /** HTTP status. */
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }

  /** The gRPC status code matching {@link status}. */
  get grpcCode(): number {
    if (this.status === 404) return GRPC_STATUS.NOT_FOUND;
    if (this.status === 413) return GRPC_STATUS.RESOURCE_EXHAUSTED;
    if (this.status === 503) return GRPC_STATUS.UNAVAILABLE;
    if (this.status >= 500) return GRPC_STATUS.INTERNAL;
    return GRPC_STATUS.INVALID_ARGUMENT;
  }
}

/** Shorthand for a 400. */
export function badRequest(message: string): RequestError {
  return new RequestError(400, message);
}
