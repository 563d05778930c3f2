#include "sim/numerics/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace mobsim {

int default_thread_count() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

void parallel_for(int n, int threads, const std::function<void(int)>& body,
                  const std::function<void(int done)>& progress) {
    std::atomic<int> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::mutex failures_mutex;
    std::map<int, std::exception_ptr> failures;
    auto work = [&] {
        while (!stop.load()) {
            const int i = next.fetch_add(1);
            if (i >= n) break;
            try {
                body(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(failures_mutex);
                failures.emplace(i, std::current_exception());
                stop = true;
            }
            done.fetch_add(1);
        }
    };
    const int workers = std::max(1, std::min(threads, n));
    std::vector<std::thread> pool;
    for (int t = 0; t < workers; ++t) pool.emplace_back(work);
    if (progress) {
        for (;;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            const int finished = done.load();
            if (finished >= n || stop.load()) break;
            progress(finished);
        }
    }
    for (auto& thread : pool) thread.join();
    if (!failures.empty()) std::rethrow_exception(failures.begin()->second);
    if (progress) progress(done.load());
}

}  // namespace mobsim
