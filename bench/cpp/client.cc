// C++ gRPC baseline client for bench/run.sh.
//
//   client TARGET EXPECTED_EVENTS
//
// Calls flowtel.v1.Flowtel/Subscribe (from the oldest event) with a synchronous ClientReader,
// fully parses every EventBatch, counts the events and checks that seq runs 1, 2, 3, ...
// Prints one line on success:
//
//   events=N bytes=B seconds=S wall=W events_per_s=R mb_per_s=M
//
// bytes = protobuf payload bytes of every message (gRPC's 5-byte frame header and HTTP/2 not
// included); seconds = first received message to end of stream; wall = call start to end of
// stream. Exits 1 if the stream fails, the count differs or seq is out of order.
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/arena.h>

#include "flowtel/v1/flowtel.grpc.pb.h"

namespace bench {

// An EventBatch plus the size of the payload it was parsed from. Reading through this type
// (instead of EventBatch) lets the client count exact wire bytes without re-measuring the
// parsed message; the parse itself is the one gRPC's own protobuf traits do. Each message is
// parsed into a fresh arena (reset per message, first block reused): protobuf's recommended
// way to parse many messages without a malloc per field.
struct CountedBatch {
  CountedBatch() : first_block(256 * 1024), arena(options()) {}
  google::protobuf::ArenaOptions options() {
    google::protobuf::ArenaOptions o;
    o.initial_block = first_block.data();
    o.initial_block_size = first_block.size();
    return o;
  }
  std::vector<char> first_block;
  google::protobuf::Arena arena;
  flowtel::v1::EventBatch* batch = nullptr;
  size_t wire_bytes = 0;
};

}  // namespace bench

namespace grpc {
template <>
class SerializationTraits<bench::CountedBatch, void> {
 public:
  static Status Serialize(const bench::CountedBatch&, ByteBuffer*, bool*) {
    return Status(StatusCode::UNIMPLEMENTED, "receive only");
  }
  static Status Deserialize(ByteBuffer* buffer, bench::CountedBatch* msg) {
    msg->wire_bytes = buffer == nullptr ? 0 : buffer->Length();
    msg->batch = nullptr;
    msg->arena.Reset();
    msg->batch = google::protobuf::Arena::CreateMessage<flowtel::v1::EventBatch>(&msg->arena);
    return GenericDeserialize<ProtoBufferReader, flowtel::v1::EventBatch>(buffer, msg->batch);
  }
};
}  // namespace grpc

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s TARGET EXPECTED_EVENTS\n", argv[0]);
    return 2;
  }
  const std::string target = argv[1];
  const uint64_t expected = std::strtoull(argv[2], nullptr, 10);

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);

  // The same method the generated stub calls (Flowtel::Stub::Subscribe), read through
  // CountedBatch.
  const grpc::internal::RpcMethod method("/flowtel.v1.Flowtel/Subscribe",
                                         grpc::internal::RpcMethod::SERVER_STREAMING, channel);
  flowtel::v1::SubscribeRequest request;
  request.set_start(flowtel::v1::START_POSITION_FROM_OLDEST);
  request.set_subscriber_name("bench-cpp");

  using clock = std::chrono::steady_clock;
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));

  const clock::time_point call_start = clock::now();
  std::unique_ptr<grpc::ClientReader<bench::CountedBatch>> reader(
      grpc::internal::ClientReaderFactory<bench::CountedBatch>::Create(channel.get(), method,
                                                                       &context, request));
  bench::CountedBatch msg;
  clock::time_point first{};
  bool got_first = false;
  uint64_t events = 0, bytes = 0, messages = 0, next_seq = 1;
  bool in_order = true;
  while (reader->Read(&msg)) {
    if (!got_first) {
      first = clock::now();
      got_first = true;
    }
    ++messages;
    bytes += msg.wire_bytes;
    for (const flowtel::v1::Event& e : msg.batch->events()) {
      if (e.seq() != next_seq || e.payload_case() != flowtel::v1::Event::kSessionClose) {
        if (in_order) {
          std::fprintf(stderr, "client: event %llu has seq %llu (payload %d)\n",
                       static_cast<unsigned long long>(events),
                       static_cast<unsigned long long>(e.seq()), e.payload_case());
        }
        in_order = false;
      }
      next_seq = e.seq() + 1;
      ++events;
    }
  }
  const grpc::Status status = reader->Finish();
  const clock::time_point end = clock::now();
  if (!status.ok()) {
    std::fprintf(stderr, "client: stream failed: %d %s\n", status.error_code(),
                 status.error_message().c_str());
    return 1;
  }
  if (events != expected || !in_order) {
    std::fprintf(stderr, "client: got %llu events (expected %llu), in order: %s\n",
                 static_cast<unsigned long long>(events),
                 static_cast<unsigned long long>(expected), in_order ? "yes" : "no");
    return 1;
  }
  const double seconds = got_first ? std::chrono::duration<double>(end - first).count() : 0.0;
  const double wall = std::chrono::duration<double>(end - call_start).count();
  std::printf("events=%llu bytes=%llu seconds=%.6f wall=%.6f messages=%llu events_per_s=%.0f "
              "mb_per_s=%.2f\n",
              static_cast<unsigned long long>(events), static_cast<unsigned long long>(bytes),
              seconds, wall, static_cast<unsigned long long>(messages),
              seconds > 0 ? events / seconds : 0.0, seconds > 0 ? bytes / seconds / 1e6 : 0.0);
  return 0;
}
