extension Sequence where Element: Equatable {
    /// How many leading elements this sequence shares with `other`.
    func commonPrefixLength(with other: some Sequence<Element>) -> Int {
        zip(self, other).prefix { $0 == $1 }.count
    }
}
