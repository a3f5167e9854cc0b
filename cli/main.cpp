// icsr: checks the statements of Liu, Zhou, Shen, Yang (ICLR 2025) as randomized properties.
//
//   icsr list | check | report | train | evaluate | train-tf | evaluate-tf | empirical-n0
//
// One file per subcommand in cli/ declares its flags and runs it; cli/common.hpp holds what they share.
// Exit codes: 0 holds (or done); 1 a statement is violated or a negative control was not caught;
// 2 bad input; 3 inconclusive or vacuous; 4 a run-time failure (an error inside a trial, a file that
// could not be written, a model whose errors are not finite).
#include <CLI/CLI.hpp>

#include <iostream>
#include <stdexcept>
#include <vector>

#include "cli/common.hpp"

int main(int argc, char** argv) {
  using namespace icsr::cli;
  keep_freed_memory();
  CLI::App app{"icsr: property-based checks of 'On the Learn-to-Optimize Capabilities of Transformers in "
               "In-Context Sparse Recovery' (Liu, Zhou, Shen, Yang; ICLR 2025)"};
  app.require_subcommand(0, 1);
  app.footer(
      "Exit codes of check: 0 every statement holds; 1 a statement or a proof's witness is violated, or a negative "
      "control was not caught; 3 inconclusive, vacuous or unresolved; 2 bad input.\nReplay a RapidCheck counterexample directly with "
      "RC_PARAMS=\"reproduce=...\" (printed with each counterexample).");
  const std::vector<Command> commands{add_list(app),     add_check(app),    add_report(app),      add_train(app),
                                      add_evaluate(app), add_train_tf(app), add_evaluate_tf(app), add_empirical_n0(app),
                                      add_section6(app), add_verdicts(app), add_timings(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitBadInput;
  }
  try {
    for (const Command& command : commands) {
      if (command.app->parsed()) return command.run();
    }
    std::cerr << "icsr: name a command (list, check, report, train, evaluate, train-tf, evaluate-tf, empirical-n0, section6 or verdicts)\n"
              << app.help();
    return kExitBadInput;
  } catch (const std::invalid_argument& error) {
    std::cerr << "icsr: " << error.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& error) {
    std::cerr << "icsr: failed: " << error.what() << "\n";
    return kExitFailed;
  }
}
