import QwenKit
import Testing

@Suite struct Xoshiro256StarStarTests {
    /// Reference values from a separate Python implementation of SplitMix64 seeding and
    /// xoshiro256** as published by Blackman and Vigna.
    @Test(arguments: [
        (
            UInt64(0),
            [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C] as [UInt64]
        ),
        (UInt64(42), [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1]),
    ])
    func matchesReferenceSequence(seed: UInt64, expected: [UInt64]) {
        var generator = Xoshiro256StarStar(seed: seed)
        #expect((0..<4).map { _ in generator.next() } == expected)
    }

    @Test func unitIntervalStaysInRange() {
        var generator = Xoshiro256StarStar(seed: 7)
        let values = (0..<10_000).map { _ in generator.nextUnitInterval() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / Double(values.count)
        // Mean of 10k uniforms has σ = 1/sqrt(12·10⁴) ≈ 0.0029; 5σ ≈ 0.015.
        #expect(abs(mean - 0.5) < 0.015)
    }
}
