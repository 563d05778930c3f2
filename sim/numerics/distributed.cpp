#include "sim/numerics/distributed.hpp"

#include <cstdlib>
#include <exception>
#include <limits>
#include <stdexcept>
#include <thread>

#include "sim/numerics/byte_buffer.hpp"
#include "sim/numerics/parallel.hpp"

#ifdef MOBSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace mobsim::distributed {

#ifdef MOBSIM_HAVE_MPI

namespace {
constexpr int kTag = 25;
bool started = false;
std::thread::id main_thread;  // the one thread of a rank that calls MPI
void check(int status, const char* what) {
    if (status != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}
}  // namespace

Session::Session(int& argc, char**& argv) {
    int provided = 0;  // only the main thread of a rank calls MPI; worker threads only compute
    check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    started = true;
    main_thread = std::this_thread::get_id();
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

bool on_main_thread() { return !started || std::this_thread::get_id() == main_thread; }

std::vector<std::string> all_gather(const std::string& mine) {
    if (!started) return {mine};
    const int n = ranks();
    if (mine.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::runtime_error("MPI: a message of " + std::to_string(mine.size()) + " bytes is too long");
    int size = static_cast<int>(mine.size());
    std::vector<int> sizes(static_cast<std::size_t>(n)), offsets(static_cast<std::size_t>(n), 0);
    check(MPI_Allgather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
    long long total = 0;
    for (int r = 0; r < n; ++r) {
        offsets[static_cast<std::size_t>(r)] = static_cast<int>(total);
        total += sizes[static_cast<std::size_t>(r)];
        if (total > std::numeric_limits<int>::max())
            throw std::runtime_error("MPI: gathered messages of more than 2 GB");
    }
    std::string all(static_cast<std::size_t>(total), '\0');
    check(MPI_Allgatherv(mine.data(), size, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE,
                         MPI_COMM_WORLD), "MPI_Allgatherv");
    std::vector<std::string> out;
    for (int r = 0; r < n; ++r)
        out.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                                 static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)])));
    return out;
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
bool on_main_thread() { return true; }
std::vector<std::string> all_gather(const std::string& mine) { return {mine}; }
void abort_all(int code) { std::exit(code); }

#endif

void for_each_across_ranks(int n, int threads, const std::function<void(int)>& compute,
                           const std::function<std::string(int)>& result,
                           const std::function<void(int, const std::string&)>& adopt,
                           const std::function<void(int done)>& progress) {
    const int count = ranks(), me = rank();
    if (count == 1 || !on_main_thread()) {  // nested in a parallel loop: every rank computes all items itself
        parallel_for(n, threads, compute, progress);
        return;
    }
    const int mine = n > me ? (n - me + count - 1) / count : 0;  // items me, me + count, ...
    std::exception_ptr error;
    try {
        parallel_for(mine, threads, [&](int k) { compute(me + k * count); }, progress);
    } catch (...) {
        error = std::current_exception();
    }
    std::string message;
    pack<std::int32_t>(message, error ? 1 : 0);
    if (!error)
        for (int k = 0; k < mine; ++k) pack(message, result(me + k * count));
    const std::vector<std::string> all = all_gather(message);
    int first_failed = -1;
    for (int r = 0; r < count; ++r)
        if (ByteReader(all[static_cast<std::size_t>(r)]).take<std::int32_t>() != 0 && first_failed < 0) first_failed = r;
    if (first_failed >= 0) {
        if (first_failed == me) std::rethrow_exception(error);
        throw std::runtime_error("MPI rank " + std::to_string(first_failed) + " failed (its message says why)");
    }
    for (int r = 0; r < count; ++r) {
        if (r == me) continue;
        ByteReader in(all[static_cast<std::size_t>(r)]);
        in.take<std::int32_t>();
        for (int i = r; i < n; i += count) {
            std::string bytes;
            in.read(bytes);
            adopt(i, bytes);
        }
    }
}

}  // namespace mobsim::distributed
