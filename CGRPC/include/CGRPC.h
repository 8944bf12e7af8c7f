/*
 * CGRPC -- the only C in flowtel: a small shim over the gRPC C core (libgrpc 1.51) and the
 * protoc-c generated codec for the wire contract in proto/.
 *
 * Swift sees only what this umbrella header includes: the cgrpc_* transport API and the
 * protobuf-c message structs. <grpc/grpc.h> is never included from a public header.
 */
#ifndef CGRPC_H
#define CGRPC_H

#include "cgrpc_core.h"
#include "cgrpc_codec.h"

#endif
