// LineSplitter is a header-only template (it is on the hot path of every child's output);
// this file keeps the one-file-per-concept layout and checks the header compiles on its own.
#include "vigil/line_splitter.hpp"
