/*
 * The protoc-c generated message structs of the wire contract (proto/), and the embedded
 * descriptor set that server reflection answers from. Regenerate with proto/generate.sh.
 */
#ifndef CGRPC_CODEC_H
#define CGRPC_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "flowtel/v1/events.pb-c.h"
#include "flowtel/v1/flowtel.pb-c.h"
#include "grpc/health/v1/health.pb-c.h"

/** The serialized google.protobuf.FileDescriptorSet of every .proto in proto/. Static data. */
const uint8_t *_Nonnull cgrpc_descriptor_set_data(void);
/** Size in bytes of cgrpc_descriptor_set_data(). */
size_t cgrpc_descriptor_set_size(void);

#endif
