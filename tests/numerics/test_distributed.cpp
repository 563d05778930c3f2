// One process (the test binary has no MPI): for_each_across_ranks is a parallel loop over every item, and an
// item's exception reaches the caller. Under MPI the same bytes for 1, 2, 3 ranks: ctest mpi_same_bytes.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "sim/numerics/distributed.hpp"

using namespace mobsim;

TEST_CASE("Without MPI every item runs once on rank 0 of 1 and none is adopted", "[distributed]") {
    REQUIRE(distributed::rank() == 0);
    REQUIRE(distributed::ranks() == 1);
    REQUIRE(distributed::on_main_thread());
    const int n = 1000;
    std::vector<long> square(n, -1);
    std::atomic<int> calls{0}, adopted{0};
    distributed::for_each_across_ranks(n, 3, [&](int i) {
        ++calls;
        square[i] = static_cast<long>(i) * i;
    }, [](int) { return std::string("x"); }, [&](int, const std::string&) { ++adopted; });
    CHECK(calls == n);
    CHECK(adopted == 0);
    long sum = 0;
    for (long v : square) sum += v;
    CHECK(sum == static_cast<long>(n - 1) * n * (2 * n - 1) / 6);  // sum of squares 0..n-1
    REQUIRE(distributed::all_gather("abc") == std::vector<std::string>{"abc"});
}

TEST_CASE("An item's exception reaches the caller of for_each_across_ranks", "[distributed]") {
    auto throwing = [] {
        distributed::for_each_across_ranks(10, 2, [](int i) {
            if (i == 7) throw std::runtime_error("item 7 failed");
        }, [](int) { return std::string(); }, [](int, const std::string&) {});
    };
    CHECK_THROWS_WITH(throwing(), "item 7 failed");
}
