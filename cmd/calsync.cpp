// calsync: the command-line entry point. All logic lives in calsync_core.
#include "cli/command.hpp"

int main(int argc, char** argv, char** envp) { return calsync::run_main(argc, argv, envp); }
