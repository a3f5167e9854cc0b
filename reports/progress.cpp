#include "reports/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace icsr::reports {

std::string format_duration(double seconds) {
  if (!(seconds >= 0.0) || !std::isfinite(seconds)) return "?";
  const long total = std::lround(seconds);
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, total % 3600 / 60);
}

Progress::Progress(std::string what, int total, std::FILE* out)
    : what_(std::move(what)), total_(total), out_(out), terminal_(isatty(fileno(out)) == 1),
      begin_(std::chrono::steady_clock::now()) {}

std::string Progress::eta() const {
  if (finished_ == 0) return "ETA ?";
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
  return "ETA " + format_duration(elapsed / finished_ * (total_ - finished_));
}

void Progress::start(const std::string& unit) {
  if (terminal_) {
    constexpr int width = 30;
    const int filled = total_ > 0 ? width * finished_ / total_ : width;
    fmt::print(out_, "\r\033[K{} [{}{}] {}/{} {} | {}", what_, std::string(filled, '#'), std::string(width - filled, '.'),
               finished_, total_, eta(), unit);
  } else {
    fmt::print(out_, "[{}/{}] {}: {} ...\n", finished_ + 1, total_, what_, unit);
  }
  std::fflush(out_);
}

void Progress::finish(const std::string& unit, const std::string& outcome) {
  ++finished_;
  if (terminal_) {
    fmt::print(out_, "\r\033[K  {} {}\n", unit, outcome);
  } else {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
    fmt::print(out_, "[{}/{}] {}: {} {} (elapsed {}, {})\n", finished_, total_, what_, unit, outcome,
               format_duration(elapsed), eta());
  }
  std::fflush(out_);
}

void Progress::done() {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
  fmt::print(out_, "{}: {} unit(s) in {}\n", what_, finished_, format_duration(elapsed));
  std::fflush(out_);
}

}  // namespace icsr::reports
