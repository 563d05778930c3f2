// Work across processes: MPI ranks when mobsim is built with -DMOBSIM_MPI=ON and started under mpirun, else
// one process (rank 0 of 1) and these calls need no MPI. Only this file's .cpp touches MPI.
//
// Studies split fixed blocks of work across ranks and send block results to rank 0, which reduces them in
// block order and alone writes outputs; the results therefore do not depend on the number of ranks.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace mobsim::distributed {

// Starts MPI (when built with it) for the life of the program; at most one.
class Session {
public:
    Session(int& argc, char**& argv);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
};

bool built_with_mpi();
int rank();   // 0 without MPI
int ranks();  // 1 without MPI
inline bool is_root() { return rank() == 0; }
inline int owner_of_block(long block) { return static_cast<int>(block % ranks()); }

// Point-to-point messages of bytes between ranks (messages between two ranks arrive in the order sent).
void send(int to, const std::string& bytes);
std::string receive(int from);

// True on the thread that started MPI (always without MPI); only it may call the functions below.
bool on_main_thread();

// Every rank's `mine`, in rank order, on every rank (MPI_Allgatherv); without MPI, {mine}.
std::vector<std::string> all_gather(const std::string& mine);

// Runs compute(i) for every i in [0, n) with item i on rank i mod ranks (threads within a rank), then gives
// every rank every result: result(i) packs item i's result on its owner, adopt(i, bytes) unpacks it on the
// others. Each item is computed alone, so its result, and what the caller does with all of them in item
// order, is the same for any number of ranks. With one rank this is parallel_for(n, threads, compute,
// progress). An exception on any rank ends the call on every rank: the lowest failing rank rethrows its own,
// the others throw std::runtime_error naming that rank. progress(done) counts the calling rank's items.
void for_each_across_ranks(int n, int threads, const std::function<void(int)>& compute,
                           const std::function<std::string(int)>& result,
                           const std::function<void(int, const std::string&)>& adopt,
                           const std::function<void(int done)>& progress = {});

// Ends every rank of the run at once with `code` (MPI_Abort); without MPI, std::exit(code).
[[noreturn]] void abort_all(int code);

}  // namespace mobsim::distributed
