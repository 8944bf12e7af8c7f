// C++ gRPC baseline server for bench/run.sh.
//
//   server PORT EVENTS PER_MESSAGE [PORT_FILE]
//
// Serves flowtel.v1.Flowtel/Subscribe (every other method is UNIMPLEMENTED) on 127.0.0.1:PORT
// (0 picks a free port). Each Subscribe call streams EVENTS SessionClose events, seq 1..EVENTS,
// PER_MESSAGE events per EventBatch, built and encoded as they are sent, with the synchronous
// API (ServerWriter::Write). The bound port is written to PORT_FILE (atomically) and to stdout
// when the server is ready. Runs until SIGTERM or SIGINT.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <google/protobuf/arena.h>

#include "flowtel/v1/flowtel.grpc.pb.h"
#include "session_event.h"

namespace {

class FlowtelBaseline final : public flowtel::v1::Flowtel::Service {
 public:
  FlowtelBaseline(uint64_t events, uint64_t per_message, uint64_t boot_id, bool small)
      : events_(events), per_message_(per_message), boot_id_(boot_id), small_(small) {}

  grpc::Status Subscribe(grpc::ServerContext* /*context*/,
                         const flowtel::v1::SubscribeRequest* /*request*/,
                         grpc::ServerWriter<flowtel::v1::EventBatch>* writer) override {
    const uint64_t base_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
    // One arena per message, reset after each Write (Write has serialized the message when it
    // returns): protobuf's recommended way to build many messages without a malloc per field.
    std::vector<char> first_block(256 * 1024);
    google::protobuf::ArenaOptions options;
    options.initial_block = first_block.data();
    options.initial_block_size = first_block.size();
    google::protobuf::Arena arena(options);
    uint64_t seq = 0;
    while (seq < events_) {
      arena.Reset();
      auto* batch = google::protobuf::Arena::CreateMessage<flowtel::v1::EventBatch>(&arena);
      const uint64_t n = std::min(per_message_, events_ - seq);
      batch->mutable_events()->Reserve(static_cast<int>(n));
      for (uint64_t k = 0; k < n; ++k) {
        ++seq;
        if (small_) {
          bench::fill_small_session_close(batch->add_events(), boot_id_, seq, base_ns);
        } else {
          bench::fill_session_close(batch->add_events(), boot_id_, seq, base_ns);
        }
      }
      if (!writer->Write(*batch)) {
        return grpc::Status(grpc::StatusCode::CANCELLED, "subscriber went away");
      }
    }
    return grpc::Status::OK;
  }

 private:
  const uint64_t events_;
  const uint64_t per_message_;
  const uint64_t boot_id_;
  const bool small_;
};

uint64_t parse_u64(const char* s, const char* what) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0') {
    std::fprintf(stderr, "server: bad %s: %s\n", what, s);
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 6 || (argc == 6 && std::string(argv[5]) != "small")) {
    std::fprintf(stderr, "usage: %s PORT EVENTS PER_MESSAGE [PORT_FILE [small]]\n", argv[0]);
    return 2;
  }
  const bool small = argc == 6;
  const uint64_t port = parse_u64(argv[1], "port");
  const uint64_t events = parse_u64(argv[2], "events");
  const uint64_t per_message = parse_u64(argv[3], "per-message");
  if (port > 65535 || per_message == 0) {
    std::fprintf(stderr, "server: port must be 0..65535 and per-message > 0\n");
    return 2;
  }

  // Block the stop signals in every thread (gRPC's threads inherit the mask); main waits for
  // them with sigwait.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  std::random_device rd;
  const uint64_t boot_id = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  FlowtelBaseline service(events, per_message, boot_id, small);

  int bound = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port),
                           grpc::InsecureServerCredentials(), &bound);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound == 0) {
    std::fprintf(stderr, "server: cannot listen on 127.0.0.1:%llu\n",
                 static_cast<unsigned long long>(port));
    return 1;
  }

  if (argc >= 5) {
    const std::string path = argv[4];
    const std::string tmp = path + ".tmp";
    {
      std::ofstream f(tmp);
      f << bound << "\n";
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      std::perror("server: rename port file");
      return 1;
    }
  }
  std::printf("listening on 127.0.0.1:%d\n", bound);
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop, &sig);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}
