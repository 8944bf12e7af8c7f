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

/**
 * A bump allocator for protobuf-c unpacking (see cgrpc_arena.c). Not thread-safe: one per
 * decoding thread. Messages unpacked with it must not be freed with free_unpacked; reset the
 * arena instead once they are no longer used.
 */
typedef struct cgrpc_arena cgrpc_arena;

/** A new arena allocating in chunks of `chunk_size` bytes; NULL when out of memory. */
cgrpc_arena *_Nullable cgrpc_arena_create(size_t chunk_size);
/** The allocator to pass to protobuf-c's unpack functions. Owned by the arena. */
ProtobufCAllocator *_Nonnull cgrpc_arena_allocator(cgrpc_arena *_Nonnull arena);
/** Forgets every allocation (keeps one chunk for reuse). */
void cgrpc_arena_reset(cgrpc_arena *_Nonnull arena);
/** Frees the arena and everything allocated from it. */
void cgrpc_arena_destroy(cgrpc_arena *_Nullable arena);

#endif
