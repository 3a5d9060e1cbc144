import QwenKernels
import Testing

@Suite struct ThreadPoolTests {
    /// Counts how often each index is visited, from any thread.
    final class Visits: @unchecked Sendable {
        let counts: UnsafeMutablePointer<UInt32>
        let count: Int
        init(_ count: Int) {
            self.count = count
            counts = .allocate(capacity: count)
            counts.initialize(repeating: 0, count: count)
        }
        deinit { counts.deallocate() }
        var all: [UInt32] { Array(UnsafeBufferPointer(start: counts, count: count)) }
    }

    @Test(arguments: [1, 2, 3, 5])
    func everyIndexRunsExactlyOnce(threads: Int) {
        let pool = ThreadPool(threadCount: threads)
        #expect(pool.threadCount == threads)
        for count in [0, 1, 2, 3, 7, 64, 1000, 4097] {
            let visits = Visits(count)
            pool.parallelFor(count) { range in
                for i in range { visits.counts[i] += 1 }
            }
            #expect(visits.all.allSatisfy { $0 == 1 }, "count \(count)")
        }
    }

    @Test func chunksAreBalancedAndWorkersInRange() {
        let pool = ThreadPool(threadCount: 3)
        let visits = Visits(1000)
        pool.parallelFor(1000, chunkCount: 7) { range, worker in
            #expect(range.count == 142 || range.count == 143)
            #expect((0..<3).contains(worker))
            for i in range { visits.counts[i] += 1 }
        }
        #expect(visits.all.allSatisfy { $0 == 1 })
    }

    @Test func reusesThreadsAcrossManyLoops() {
        let pool = ThreadPool(threadCount: 2)
        let visits = Visits(10)
        for _ in 0..<20_000 {
            pool.parallelFor(10, chunkCount: 10) { range, _ in
                for i in range { visits.counts[i] += 1 }
            }
        }
        #expect(visits.all.allSatisfy { $0 == 20_000 })
    }

    @Test func callsFromSeveralThreadsAreSerialized() async {
        let pool = ThreadPool(threadCount: 2)
        let visits = Visits(256)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<200 {
                        pool.parallelFor(256) { range in
                            for i in range { visits.counts[i] += 1 }
                        }
                    }
                }
            }
        }
        #expect(visits.all.allSatisfy { $0 == 800 })
    }

    @Test func defaultThreadCountIsPositive() {
        #expect(ThreadPool.defaultThreadCount >= 1)
    }
}
