/*
 * Private helpers shared by the cgrpc_*.c files. Not visible to Swift (outside include/).
 */
#ifndef CGRPC_INTERNAL_H
#define CGRPC_INTERNAL_H

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/support/time.h>

#include "../include/cgrpc_core.h"

/* A deadline `timeout_ms` from now on the monotonic clock; negative means never. */
gpr_timespec cgrpc_deadline_after(int64_t timeout_ms);

/* Shuts `cq` down, waits until the core reports it empty, and destroys it. Every batch started on
 * it must already have been plucked: destroying a queue with undelivered events aborts. */
void cgrpc_cq_drain_and_destroy(grpc_completion_queue *cq);

/* A received message waiting to be copied out: the byte buffer the core handed over and a reader
 * positioned on its (decompressed) contents. */
typedef struct cgrpc_inbox {
    grpc_byte_buffer *buffer;
    grpc_byte_buffer_reader reader;
    int has_reader;
} cgrpc_inbox;

/* Takes ownership of `buffer` (the result of a RECV_MESSAGE op, non-NULL) and returns the payload
 * length, or -1 if the buffer cannot be read (then it is already released). */
int64_t cgrpc_inbox_fill(cgrpc_inbox *inbox, grpc_byte_buffer *buffer);

/* Copies the payload into `destination` (NULL allowed when the length is 0) and releases it. */
void cgrpc_inbox_drain(cgrpc_inbox *inbox, uint8_t *destination);

/* Releases a payload that was never read. */
void cgrpc_inbox_discard(cgrpc_inbox *inbox);

/* A byte buffer holding a copy of `bytes` (one slice). */
grpc_byte_buffer *cgrpc_byte_buffer_copy(const uint8_t *bytes, size_t length);

#endif /* CGRPC_INTERNAL_H */
