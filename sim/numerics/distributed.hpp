// Work across processes: MPI ranks when mobsim is built with -DMOBSIM_MPI=ON and started under mpirun, else
// one process (rank 0 of 1) and these calls need no MPI. Only this file's .cpp touches MPI.
//
// Studies split fixed blocks of work across ranks and send block results to rank 0, which reduces them in
// block order and alone writes outputs; the results therefore do not depend on the number of ranks.
#pragma once
#include <string>

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

// Ends every rank of the run at once with `code` (MPI_Abort); without MPI, std::exit(code).
[[noreturn]] void abort_all(int code);

}  // namespace mobsim::distributed
