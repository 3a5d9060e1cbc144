/// Paths named by files a model or the Hub provides (index shards, repository listings), which
/// are joined to a local folder.
enum RelativePath {
    /// Whether `path` is relative and stays inside the folder it is joined to: no empty, `.` or
    /// `..` component (so no leading `/`), no backslash or NUL.
    static func staysInside(_ path: String) -> Bool {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        return !path.contains("\\") && !path.contains("\0") && components.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}
