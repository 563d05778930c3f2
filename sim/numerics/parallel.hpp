// A parallel loop over independent items whose results are stored by index, so the output does not depend
// on the number of threads.
#pragma once
#include <functional>

namespace mobsim {

// Threads to use when the user gives none: all cores (at least 1).
int default_thread_count();

// Runs body(i) for every i in [0, n) on `threads` worker threads. After an exception no new items start;
// once running items finish, the exception of the lowest failing index is rethrown. If `progress` is given,
// the calling thread calls it with the number of finished items about every 0.2 s and once at the end.
void parallel_for(int n, int threads, const std::function<void(int)>& body,
                  const std::function<void(int done)>& progress = {});

}  // namespace mobsim
