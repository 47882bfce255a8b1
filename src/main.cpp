// tracegrep's entry point: everything is in the library, so tests can drive it.
#include "cli/run.hpp"

int main(int argc, char** argv) { return tracegrep::run(argc, argv); }
