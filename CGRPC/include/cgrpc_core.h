/*
 * cgrpc_core.h -- the transport half of the CGRPC shim: a blocking, thread-per-call API over the
 * gRPC C core (libgrpc 1.51).
 *
 * Model ("option A"): every call owns a private pluck completion queue, and every blocking
 * function below starts exactly one batch and plucks its completion before returning. Nothing
 * here creates a thread; the caller supplies them. Every function that can block says so.
 *
 * Ownership: `*_create` / `*_accept` / `*_start` return an object the caller destroys with the
 * matching `*_destroy`. Strings and buffers returned by pointer stay owned by the object and are
 * valid until it is destroyed, unless the function says otherwise.
 *
 * This header deliberately includes no gRPC header: Swift sees only the cgrpc_* names.
 */
#ifndef CGRPC_CORE_H
#define CGRPC_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

/* MARK: - Mirrored gRPC constants (checked against <grpc/...> with _Static_assert in the .c files) */

/** gRPC status codes, numerically identical to grpc_status_code. */
enum {
    CGRPC_STATUS_OK = 0,
    CGRPC_STATUS_CANCELLED = 1,
    CGRPC_STATUS_UNKNOWN = 2,
    CGRPC_STATUS_INVALID_ARGUMENT = 3,
    CGRPC_STATUS_DEADLINE_EXCEEDED = 4,
    CGRPC_STATUS_NOT_FOUND = 5,
    CGRPC_STATUS_ALREADY_EXISTS = 6,
    CGRPC_STATUS_PERMISSION_DENIED = 7,
    CGRPC_STATUS_RESOURCE_EXHAUSTED = 8,
    CGRPC_STATUS_FAILED_PRECONDITION = 9,
    CGRPC_STATUS_ABORTED = 10,
    CGRPC_STATUS_OUT_OF_RANGE = 11,
    CGRPC_STATUS_UNIMPLEMENTED = 12,
    CGRPC_STATUS_INTERNAL = 13,
    CGRPC_STATUS_UNAVAILABLE = 14,
    CGRPC_STATUS_DATA_LOSS = 15,
    CGRPC_STATUS_UNAUTHENTICATED = 16,
};

/** Errors from starting a batch, numerically identical to grpc_call_error. Any of these except
 *  OK means the shim misused the core: callers treat them as a programming error. */
enum {
    CGRPC_CALL_OK = 0,
    CGRPC_CALL_ERROR = 1,
    CGRPC_CALL_ERROR_NOT_ON_SERVER = 2,
    CGRPC_CALL_ERROR_NOT_ON_CLIENT = 3,
    CGRPC_CALL_ERROR_ALREADY_ACCEPTED = 4,
    CGRPC_CALL_ERROR_ALREADY_INVOKED = 5,
    CGRPC_CALL_ERROR_NOT_INVOKED = 6,
    CGRPC_CALL_ERROR_ALREADY_FINISHED = 7,
    CGRPC_CALL_ERROR_TOO_MANY_OPERATIONS = 8,
    CGRPC_CALL_ERROR_INVALID_FLAGS = 9,
    CGRPC_CALL_ERROR_INVALID_METADATA = 10,
    CGRPC_CALL_ERROR_INVALID_MESSAGE = 11,
    CGRPC_CALL_ERROR_NOT_SERVER_COMPLETION_QUEUE = 12,
    CGRPC_CALL_ERROR_BATCH_TOO_BIG = 13,
    CGRPC_CALL_ERROR_PAYLOAD_TYPE_MISMATCH = 14,
    CGRPC_CALL_ERROR_COMPLETION_QUEUE_SHUTDOWN = 15,
};

/** gpr log severities, numerically identical to gpr_log_severity. */
enum {
    CGRPC_LOG_DEBUG = 0,
    CGRPC_LOG_INFO = 1,
    CGRPC_LOG_ERROR = 2,
};

/* MARK: - Shim results */

/** Outcome of one blocking shim operation. */
typedef enum cgrpc_result {
    /** The operation completed. */
    CGRPC_RESULT_OK = 0,
    /** A receive found the end of the peer's message stream (no message). */
    CGRPC_RESULT_END = 1,
    /** The deadline given to the function passed first; the operation stays pending and the next
     *  call of the same function resumes waiting for it. */
    CGRPC_RESULT_TIMEOUT = 2,
    /** The core completed the batch unsuccessfully: the call was cancelled, hit its deadline or
     *  lost its connection. */
    CGRPC_RESULT_FAILED = 3,
    /** The core refused to start the batch; `*_last_call_error` tells why (a CGRPC_CALL_ERROR_*).
     *  This is always a bug in the shim or its caller. */
    CGRPC_RESULT_REJECTED = 4,
} cgrpc_result;

/** What `cgrpc_server_call_wait_cancelled` observed. */
typedef enum cgrpc_close_state {
    /** The call is still open after the timeout. */
    CGRPC_CLOSE_PENDING = 0,
    /** The call ended normally (the server sent its status and the stream closed). */
    CGRPC_CLOSE_NORMAL = 1,
    /** The call was cancelled: client cancel or disconnect, deadline, or server shutdown. */
    CGRPC_CLOSE_CANCELLED = 2,
} cgrpc_close_state;

/* MARK: - Library lifetime */

/** Takes a reference on the gRPC core (grpc_init). Every object below takes its own reference,
 *  so callers need this only to use `cgrpc_version_string` standalone. Thread-safe. */
void cgrpc_init(void);

/** Drops a reference taken with `cgrpc_init`. Thread-safe. */
void cgrpc_shutdown(void);

/** The gRPC core version ("29.0.0" for Debian's 1.51). Static storage. */
const char *cgrpc_version_string(void);

/** Receives one gRPC core log line. Called on arbitrary gRPC threads; must not block or call back
 *  into the shim. */
typedef void (*cgrpc_log_handler)(int32_t severity, const char *file, int32_t line, const char *message);

/** Routes gRPC core logging: lines at `min_severity` (a CGRPC_LOG_*) or above go to `handler`;
 *  a NULL handler discards everything. Without a call to this, the core prints to stderr as
 *  GRPC_VERBOSITY says. Thread-safe; may be called before any other shim function. */
void cgrpc_log_set_handler(cgrpc_log_handler _Nullable handler, int32_t min_severity);

/** Frees a buffer the shim allocated and handed to the caller. NULL is ignored. */
void cgrpc_buffer_free(void *_Nullable buffer);

/** Names the calling thread (first 15 bytes of `name`) for ps/top/gdb. Best effort. Here because
 *  Swift's Glibc module does not export pthread_setname_np. */
void cgrpc_thread_set_name(const char *name);

/* MARK: - Server */

typedef struct cgrpc_server cgrpc_server;
typedef struct cgrpc_server_call cgrpc_server_call;

/** Server tuning. Zero or negative fields keep gRPC's default for that setting. */
typedef struct cgrpc_server_options {
    /** Largest request message accepted; bigger ones fail the call with RESOURCE_EXHAUSTED. */
    int32_t max_receive_message_bytes;
    /** Largest response message the server will send. */
    int32_t max_send_message_bytes;
    /** Interval of the server's own keepalive pings on a connection. */
    int32_t keepalive_time_ms;
    /** How long the server waits for a keepalive ack before closing the connection. */
    int32_t keepalive_timeout_ms;
    /** Non-zero: clients may send keepalive pings while they have no call open. */
    int32_t keepalive_permit_without_calls;
    /** Shortest interval between client pings (with no data in between) that the server accepts
     *  without counting a strike. Must be below every client's keepalive time, or the client is
     *  sent GOAWAY "too_many_pings". */
    int32_t min_recv_ping_interval_without_data_ms;
    /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection. */
    int32_t max_concurrent_streams;
    /** Largest total size of one block of request metadata. */
    int32_t max_metadata_bytes;
} cgrpc_server_options;

/** Whether a TLS server asks connecting clients for a certificate. */
typedef enum cgrpc_client_cert_mode {
    /** Clients are not asked for a certificate. */
    CGRPC_CLIENT_CERT_NONE = 0,
    /** Clients may present a certificate; if they do it must verify against the client CA. */
    CGRPC_CLIENT_CERT_REQUEST = 1,
    /** Clients must present a certificate that verifies against the client CA (mutual TLS). */
    CGRPC_CLIENT_CERT_REQUIRE = 2,
} cgrpc_client_cert_mode;

/** TLS credentials for a listening port. The strings are NUL-terminated PEM and are only read
 *  during `cgrpc_server_add_port`. */
typedef struct cgrpc_server_tls {
    const char *certificate_chain_pem;
    const char *private_key_pem;
    /** CA bundle that client certificates must chain to; NULL when mode is NONE. */
    const char *_Nullable client_ca_pem;
    cgrpc_client_cert_mode client_cert_mode;
} cgrpc_server_tls;

/** Creates a server (not yet listening). Returns NULL only if the core cannot create one. */
cgrpc_server *_Nullable cgrpc_server_create(const cgrpc_server_options *options);

/** Binds `address` ("127.0.0.1:0", "[::]:50051", ...). `tls` NULL means plaintext. Returns the
 *  bound port, or 0 when the address cannot be bound or the credentials are unusable. Call before
 *  `cgrpc_server_start`. */
int32_t cgrpc_server_add_port(cgrpc_server *server, const char *address,
                              const cgrpc_server_tls *_Nullable tls);

/** Starts serving. Call once, before `cgrpc_server_accept`. */
void cgrpc_server_start(cgrpc_server *server);

/** Blocks until a client starts a call and returns it, or returns NULL once the server is shutting
 *  down. Call from one thread at a time. The RECV_CLOSE_ON_SERVER operation is already armed on the
 *  returned call, so cancellation is observed from the start. */
cgrpc_server_call *_Nullable cgrpc_server_accept(cgrpc_server *server);

/** Blocks: stops accepting (pending and later `cgrpc_server_accept` return NULL), lets running
 *  calls finish for up to `grace_ms`, then cancels the rest and waits until the core has released
 *  them. Idempotent. Thread-safe with respect to a concurrent `cgrpc_server_accept`. Starts the
 *  server first if it was never started. */
void cgrpc_server_shutdown(cgrpc_server *server, int64_t grace_ms);

/** Destroys the server. Requires `cgrpc_server_shutdown` to have returned, no thread to be inside
 *  `cgrpc_server_accept`, and every accepted call to be destroyed. */
void cgrpc_server_destroy(cgrpc_server *server);

/** The full method path of the call ("/package.Service/Method"), NUL-terminated. */
const char *cgrpc_server_call_method(const cgrpc_server_call *call);

/** The :authority the client sent, NUL-terminated (may be empty). */
const char *cgrpc_server_call_host(const cgrpc_server_call *call);

/** The peer address ("ipv4:127.0.0.1:53412"), NUL-terminated. */
const char *cgrpc_server_call_peer(const cgrpc_server_call *call);

/** Number of request metadata entries. */
size_t cgrpc_server_call_metadata_count(const cgrpc_server_call *call);

/** Entry `index` of the request metadata. Keys are lower case. The pointers are not
 *  NUL-terminated and stay valid until the call is destroyed. */
void cgrpc_server_call_metadata_at(const cgrpc_server_call *call, size_t index,
                                   const uint8_t *_Nullable *_Nonnull key, size_t *key_length,
                                   const uint8_t *_Nullable *_Nonnull value, size_t *value_length);

/** Blocks until the next request message, the end of the client's stream (END), or failure
 *  (FAILED). On OK, `*length` is the message size and the message is held by the call until
 *  `cgrpc_server_call_read_message` moves it out; it must be read before the next receive. */
cgrpc_result cgrpc_server_call_recv_message(cgrpc_server_call *call, size_t *length);

/** Copies the message held after a successful receive into `destination` (which has room for the
 *  length that receive reported) and releases it. The only copy between the core and the caller. */
void cgrpc_server_call_read_message(cgrpc_server_call *call, uint8_t *_Nullable destination);

/** Blocks until the message is accepted by flow control (the first send also sends the response
 *  headers). OK, or FAILED when the call is cancelled or broken. One send at a time. The bytes are
 *  copied before the function returns. */
cgrpc_result cgrpc_server_call_send_message(cgrpc_server_call *call, const uint8_t *_Nullable bytes,
                                            size_t length);

/** Blocks: sends the final status (and the response headers if none were sent). `message` is a
 *  NUL-terminated status message (may be empty). A call takes one status; a second is REJECTED. */
cgrpc_result cgrpc_server_call_send_status(cgrpc_server_call *call, int32_t code, const char *message);

/** Non-zero once the call is known to be cancelled. Never blocks; safe from any thread while the
 *  call exists. */
int32_t cgrpc_server_call_is_cancelled(cgrpc_server_call *call);

/** Blocks up to `timeout_ms` (negative: without limit) for the call to close, and reports how it
 *  closed. Safe to call concurrently with a send or receive on another thread. */
cgrpc_close_state cgrpc_server_call_wait_cancelled(cgrpc_server_call *call, int64_t timeout_ms);

/** The CGRPC_CALL_ERROR_* behind the last REJECTED result. */
int32_t cgrpc_server_call_last_call_error(const cgrpc_server_call *call);

/** Destroys the call: cancels it if no status was sent, waits for every pending operation, and
 *  frees everything. Blocks until the core has closed the call. */
void cgrpc_server_call_destroy(cgrpc_server_call *call);

/* MARK: - Client */

typedef struct cgrpc_channel cgrpc_channel;
typedef struct cgrpc_client_call cgrpc_client_call;

/** Client channel settings. Strings are NUL-terminated and only read during creation. */
typedef struct cgrpc_channel_options {
    /** Non-zero: connect with TLS. */
    int32_t use_tls;
    /** CA bundle to verify the server with; NULL uses gRPC's default roots. */
    const char *_Nullable root_certificates_pem;
    /** Client certificate chain and key for mutual TLS; both or neither. */
    const char *_Nullable certificate_chain_pem;
    const char *_Nullable private_key_pem;
    /** Name to verify the server certificate against instead of the target host. */
    const char *_Nullable server_name_override;
    /** Interval of client keepalive pings (0: keepalive off). */
    int32_t keepalive_time_ms;
    /** How long to wait for a keepalive ack before dropping the connection. */
    int32_t keepalive_timeout_ms;
    /** Largest response message accepted (negative: unlimited, 0: gRPC default). */
    int32_t max_receive_message_bytes;
    /** Non-zero: let HTTP/2 BDP probing grow the receive window. */
    int32_t bdp_probe;
} cgrpc_channel_options;

/** One request metadata entry; the bytes are only read while the call is being started. */
typedef struct cgrpc_metadata_entry {
    const uint8_t *key;
    size_t key_length;
    const uint8_t *_Nullable value;
    size_t value_length;
} cgrpc_metadata_entry;

/** Creates a channel to `target` ("127.0.0.1:50051", "dns:///host:port", "unix:/path"). Connects
 *  lazily. Returns NULL if the credentials cannot be created. Thread-safe once created. */
cgrpc_channel *_Nullable cgrpc_channel_create(const char *target, const cgrpc_channel_options *options);

/** Destroys the channel. Calls already started keep working until they end. */
void cgrpc_channel_destroy(cgrpc_channel *channel);

/** Starts a unary call: sends the request and asks for the response and status in one batch.
 *  Does not block; `cgrpc_client_call_wait` finishes it. `timeout_ms` <= 0 means no deadline.
 *  Returns NULL only if the core refused the batch (a bug). Thread-safe on the channel. */
cgrpc_client_call *_Nullable cgrpc_client_call_start_unary(
    cgrpc_channel *channel, const char *method, const uint8_t *_Nullable request, size_t request_length,
    const cgrpc_metadata_entry *_Nullable metadata, size_t metadata_count, int64_t timeout_ms);

/** Blocks until a unary call completes. Afterwards `cgrpc_client_call_status` is available and,
 *  on OK with a response, the response is held for `cgrpc_client_call_read_message` (`*length`
 *  is its size; END when the server sent none). */
cgrpc_result cgrpc_client_call_wait(cgrpc_client_call *call, size_t *length);

/** Starts a server-streaming call: sends the request and half-closes. Does not block. Same
 *  arguments and failure as `cgrpc_client_call_start_unary`. */
cgrpc_client_call *_Nullable cgrpc_client_call_start_stream(
    cgrpc_channel *channel, const char *method, const uint8_t *_Nullable request, size_t request_length,
    const cgrpc_metadata_entry *_Nullable metadata, size_t metadata_count, int64_t timeout_ms);

/** Blocks up to `timeout_ms` (negative: without limit; 0: only take what already arrived) for the
 *  next response message. OK (held for `cgrpc_client_call_read_message`, `*length` its size),
 *  END (stream over: the status is ready), or TIMEOUT (the receive stays pending and the next call
 *  resumes it). Single consumer thread. */
cgrpc_result cgrpc_client_call_recv_message(cgrpc_client_call *call, int64_t timeout_ms, size_t *length);

/** Same contract as `cgrpc_server_call_read_message`. */
void cgrpc_client_call_read_message(cgrpc_client_call *call, uint8_t *_Nullable destination);

/** Blocks until the call's final status has arrived, then returns its code. `*message` points at
 *  the status message (not NUL-terminated, `*message_length` bytes), valid until destroy. Call only
 *  after a receive returned END or after `cgrpc_client_call_wait`, or after cancelling. */
int32_t cgrpc_client_call_status(cgrpc_client_call *call, const uint8_t *_Nullable *_Nonnull message,
                                 size_t *message_length);

/** Cancels the call (the status becomes CANCELLED unless it was already final). Thread-safe while
 *  the call exists; never blocks. */
void cgrpc_client_call_cancel(cgrpc_client_call *call);

/** Destroys the call: cancels it unless its status already arrived, waits for every pending
 *  operation, and frees everything. */
void cgrpc_client_call_destroy(cgrpc_client_call *call);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

#endif /* CGRPC_CORE_H */
