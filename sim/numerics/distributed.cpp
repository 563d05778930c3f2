#include "sim/numerics/distributed.hpp"

#include <cstdlib>
#include <limits>
#include <stdexcept>

#ifdef MOBSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace mobsim::distributed {

#ifdef MOBSIM_HAVE_MPI

namespace {
constexpr int kTag = 25;
bool started = false;
void check(int status, const char* what) {
    if (status != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}
}  // namespace

Session::Session(int& argc, char**& argv) {
    int provided = 0;  // only the main thread of a rank calls MPI; worker threads only compute
    check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    started = true;
}

Session::~Session() {
    if (started) MPI_Finalize();
    started = false;
}

bool built_with_mpi() { return true; }

int rank() {
    int r = 0;
    if (started) MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int ranks() {
    int n = 1;
    if (started) MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

void send(int to, const std::string& bytes) {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::runtime_error("MPI: a message of " + std::to_string(bytes.size()) + " bytes is too long");
    check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, kTag, MPI_COMM_WORLD), "MPI_Send");
}

std::string receive(int from) {
    MPI_Status status;
    check(MPI_Probe(from, kTag, MPI_COMM_WORLD, &status), "MPI_Probe");
    int size = 0;
    check(MPI_Get_count(&status, MPI_BYTE, &size), "MPI_Get_count");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    check(MPI_Recv(bytes.data(), size, MPI_BYTE, from, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    return bytes;
}

void abort_all(int code) {
    if (started) MPI_Abort(MPI_COMM_WORLD, code);
    std::exit(code);
}

#else

Session::Session(int&, char**&) {}
Session::~Session() = default;
bool built_with_mpi() { return false; }
int rank() { return 0; }
int ranks() { return 1; }
void send(int, const std::string&) { throw std::logic_error("distributed::send without MPI"); }
std::string receive(int) { throw std::logic_error("distributed::receive without MPI"); }
void abort_all(int code) { std::exit(code); }

#endif

}  // namespace mobsim::distributed
