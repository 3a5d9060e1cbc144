/// A Prometheus histogram: counts of observations at or below each bucket bound, their sum and count.
struct Histogram: Sendable {
    let bounds: [Double]
    private(set) var bucketCounts: [Int]
    private(set) var sum: Double = 0
    private(set) var count: Int = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        bucketCounts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        for (index, bound) in bounds.enumerated() where value <= bound {
            bucketCounts[index] += 1
        }
        sum += value
        count += 1
    }

    /// The exposition lines of this histogram under `name`.
    func lines(name: String) -> [String] {
        var lines = zip(bounds, bucketCounts).map { bound, count in "\(name)_bucket{le=\"\(bound)\"} \(count)" }
        lines.append("\(name)_bucket{le=\"+Inf\"} \(count)")
        lines.append("\(name)_sum \(sum)")
        lines.append("\(name)_count \(count)")
        return lines
    }
}
