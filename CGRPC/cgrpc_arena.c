/*
 * cgrpc_arena.c -- a bump allocator for protobuf-c unpacking.
 *
 * protobuf_c_message_unpack allocates every string, bytes field, sub-message and repeated
 * array separately. Decoding a batch of events with malloc costs more than the unpacking
 * itself, so decoders hand protobuf-c this allocator instead: allocations come from large
 * chunks, `free` does nothing, and the whole arena is reset once the batch has been converted.
 */
#include <stdlib.h>
#include <string.h>

#include "cgrpc_codec.h"

typedef struct cgrpc_arena_chunk {
    struct cgrpc_arena_chunk *next;
    size_t size;
    size_t used;
    size_t padding; /* keeps the data that follows 16-byte aligned, like malloc's */
    /* data follows */
} cgrpc_arena_chunk;

_Static_assert(sizeof(cgrpc_arena_chunk) % 16 == 0, "arena chunk header must keep 16-byte alignment");

struct cgrpc_arena {
    ProtobufCAllocator allocator;
    cgrpc_arena_chunk *chunks;   /* current chunk first */
    size_t chunk_size;
    int failed;
};

static cgrpc_arena_chunk *cgrpc_arena_chunk_create(size_t size) {
    cgrpc_arena_chunk *chunk = malloc(sizeof(cgrpc_arena_chunk) + size);
    if (chunk == NULL) {
        return NULL;
    }
    chunk->next = NULL;
    chunk->size = size;
    chunk->used = 0;
    return chunk;
}

static void *cgrpc_arena_alloc(void *data, size_t size) {
    cgrpc_arena *arena = data;
    size_t aligned = (size + 15u) & ~(size_t)15u;
    cgrpc_arena_chunk *chunk = arena->chunks;
    if (chunk == NULL || chunk->size - chunk->used < aligned) {
        size_t chunk_size = aligned > arena->chunk_size ? aligned : arena->chunk_size;
        cgrpc_arena_chunk *fresh = cgrpc_arena_chunk_create(chunk_size);
        if (fresh == NULL) {
            arena->failed = 1;
            return NULL; /* protobuf-c turns this into a failed unpack */
        }
        fresh->next = chunk;
        arena->chunks = fresh;
        chunk = fresh;
    }
    void *pointer = (char *)(chunk + 1) + chunk->used;
    chunk->used += aligned;
    return pointer;
}

static void cgrpc_arena_free(void *data, void *pointer) {
    (void)data;
    (void)pointer; /* released all at once by cgrpc_arena_reset */
}

cgrpc_arena *cgrpc_arena_create(size_t chunk_size) {
    cgrpc_arena *arena = calloc(1, sizeof(*arena));
    if (arena == NULL) {
        return NULL;
    }
    arena->allocator.alloc = cgrpc_arena_alloc;
    arena->allocator.free = cgrpc_arena_free;
    arena->allocator.allocator_data = arena;
    arena->chunk_size = chunk_size < 4096 ? 4096 : chunk_size;
    return arena;
}

ProtobufCAllocator *cgrpc_arena_allocator(cgrpc_arena *arena) {
    return &arena->allocator;
}

void cgrpc_arena_reset(cgrpc_arena *arena) {
    /* Keep the newest chunk if it is a regular one; free the rest. */
    cgrpc_arena_chunk *keep = arena->chunks;
    cgrpc_arena_chunk *rest = NULL;
    if (keep != NULL) {
        rest = keep->next;
        if (keep->size != arena->chunk_size) {
            rest = keep;
            keep = NULL;
        }
    }
    while (rest != NULL) {
        cgrpc_arena_chunk *next = rest->next;
        free(rest);
        rest = next;
    }
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
    }
    arena->chunks = keep;
    arena->failed = 0;
}

void cgrpc_arena_destroy(cgrpc_arena *arena) {
    if (arena == NULL) {
        return;
    }
    cgrpc_arena_reset(arena); /* frees every chunk but one */
    free(arena->chunks);
    free(arena);
}
