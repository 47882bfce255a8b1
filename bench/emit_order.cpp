// Is the file sink's output in time order under load? 8 threads and a
// 2-thread pool (through ContextExecutor) log as fast as they can for
// SECONDS into one file_sink; then the file is read back and every line
// whose time is older than a line before it is counted, with the worst gap.
// Each line carries the exact nanosecond it was stamped with (a wrapping
// sink appends it), so inversions below the millisecond of the line's own
// time are seen too. Run it with the other core busy.
//   tracegrep-emit-order [SECONDS] [DIR]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tracegrep/context.hpp"
#include "tracegrep/log.hpp"

namespace {

// Appends " @<ns>" to each line: the time the logger stamped it with.
class StampedSink : public tracegrep::Sink {
 public:
  explicit StampedSink(std::shared_ptr<tracegrep::Sink> inner) : inner_(std::move(inner)) {}
  void write(std::string_view line) override { inner_->write(line); }
  void write_at(std::string_view line, std::int64_t ns) override {
    thread_local std::string out;
    out.assign(line.substr(0, line.size() - 1));
    out += " @";
    out += std::to_string(ns);
    out += '\n';
    inner_->write_at(out, ns);
  }
  void flush() override { inner_->flush(); }

 private:
  std::shared_ptr<tracegrep::Sink> inner_;
};

class Pool {
 public:
  explicit Pool(int n) {
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { run(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  void post(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (quit_) return;
      tasks_.push_back(std::move(f));
    }
    cv_.notify_one();
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      cv_.wait(lock, [this] { return quit_ || !tasks_.empty(); });
      if (quit_) return;
      auto f = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      f();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool quit_ = false;
  std::vector<std::thread> workers_;
};

tracegrep::RequestMetadata md(int n) {
  tracegrep::RequestMetadata m;
  m.session_id = "sess" + std::to_string(1000 + n);
  m.request_id = "req" + std::to_string(10000 + n);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 10;
  const std::string dir = argc > 2 ? argv[2] : ".";
  const std::string path = dir + "/emit-order.log";
  std::remove(path.c_str());
  std::atomic<bool> stop{false};
  std::atomic<long> calls{0};
  {
    tracegrep::Logger logger(std::make_shared<StampedSink>(tracegrep::file_sink(path)));
    std::function<void(int)> task;  // outlives the pool that runs it
    Pool pool(2);
    tracegrep::ContextExecutor<Pool> executor(pool);
    task = [&](int n) {
      for (int i = 0; i < 100; ++i) logger.info("pool task {} line {}", n, i);
      calls += 100;
      if (!stop) executor.post([&task, n] { task(n + 2); });
    };
    for (int n = 0; n < 2; ++n) {
      tracegrep::ContextScope scope(md(100 + n));
      executor.post([&task, n] { task(n); });
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        tracegrep::ContextScope scope(md(t));
        long i = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          logger.info("thread {} line {}", t, i++);
          if (i % 1000 == 0) logger.warning("thread {} checkpoint {}", t, i);
        }
        calls += i + i / 1000;
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads) t.join();
  }  // the pool ends, then the logger: everything is written
  std::ifstream in(path);
  std::string line;
  long lines = 0, inversions = 0;
  std::int64_t latest = 0, worst = 0;
  while (std::getline(in, line)) {
    ++lines;
    const std::size_t at = line.rfind(" @");
    if (at == std::string::npos) continue;
    const std::int64_t ns = std::stoll(line.substr(at + 2));
    if (ns < latest) {
      ++inversions;
      worst = std::max(worst, latest - ns);
    }
    latest = std::max(latest, ns);
  }
  std::printf(
      "%.0f s, 8 threads + a 2-thread pool: %ld calls, %ld lines in the file, %ld out of time order "
      "(worst %.3f ms)   (target 0)\n",
      seconds, calls.load(), lines, inversions, static_cast<double>(worst) / 1e6);
  std::remove(path.c_str());
  return inversions == 0 && lines == calls ? 0 : 1;
}
