// The epoll loop shared by the tcp Server and Publisher (internal): listening
// sockets, accepted connections, one I/O thread, an eventfd to wake it.
//
// A connection is named by an id, (generation << 32) | slot: a slot is reused
// for a later connection only with a new generation, so a reply computed for
// a connection that closed meanwhile is dropped instead of reaching the new
// peer of a reused fd or slot.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/transport/tcp.h"

namespace brine::transport::tcp {

class EventLoop {
 public:
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

 protected:
  // `in_limit`: the largest inbound frame body; a larger one closes the connection.
  EventLoop(const SocketOptions& opts, uint64_t in_limit);
  // Closes every descriptor; the derived class must have called stop_thread().
  virtual ~EventLoop();

  // Binds every endpoint (all must be tcp://). Error names the endpoint.
  Status open(const std::vector<std::string>& endpoints);
  Status start_thread();
  // Stops and joins the I/O thread (idempotent, any thread but the I/O thread).
  void stop_thread();
  // Makes the I/O thread call on_wake() soon. Thread-safe.
  void wake();
  bool stopping() const { return stopping_.load(); }

  // I/O thread hooks.
  virtual void on_frame(uint64_t id, std::string_view body) = 0;
  virtual void on_wake() = 0;
  virtual void on_batch_end() {}

  // I/O thread only. Queues `f` on connection `id` and writes what the socket
  // takes. False (and nothing sent) when the connection is gone or holds
  // send_hwm frames already (send_hwm <= 0: no limit).
  bool send(uint64_t id, Frame f);
  // Queues every frame on every connection, each under its send_hwm.
  void send_all(const std::vector<Frame>& frames);

  const SocketOptions opts_;

 private:
  struct Conn {
    int fd = -1;
    uint64_t id = 0;
    bool dead = false;
    bool watching_out = false;
    FrameReader reader;
    SendQueue out;
  };

  void run();
  void accept_from(size_t listener);
  void pause_listeners(bool pause);
  void read_from(Conn& c);
  void flush(Conn& c);
  void kill(Conn& c);
  void reap();
  Conn* find(uint64_t id);

  const uint64_t in_limit_;
  std::vector<int> listeners_;
  int epfd_ = -1;
  int wakefd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> wake_pending_{false};
  std::thread io_;
  std::vector<std::unique_ptr<Conn>> conns_;  // by slot; null when free
  std::vector<uint32_t> gens_;                // by slot
  std::vector<uint32_t> free_slots_;
  std::vector<uint32_t> dead_;  // slots to close after the current batch
  std::unique_ptr<char[]> scratch_;
  bool paused_ = false;
  Clock::time_point resume_at_{};
};

}  // namespace brine::transport::tcp
