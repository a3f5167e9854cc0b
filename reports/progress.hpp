// Progress output for long runs: a bar with an ETA when stderr is a terminal, plain lines otherwise
// (CI logs, pipes). The ETA is the mean time per finished unit times the units left.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace icsr::reports {

class Progress {
 public:
  Progress(std::string what, int total, std::FILE* out = stderr);
  void start(const std::string& unit);  // about to run `unit`
  void finish(const std::string& unit, const std::string& outcome);  // `unit` is done
  void done();

 private:
  std::string eta() const;
  std::string what_;
  int total_ = 0, finished_ = 0;
  std::FILE* out_;
  bool terminal_ = false;
  std::chrono::steady_clock::time_point begin_;
};

// "1m05s" style durations.
std::string format_duration(double seconds);

}  // namespace icsr::reports
