import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one POSIX call the cache needs that Foundation lacks: an atomic rename that replaces
/// the destination (also when it is a symlink), as `os.replace` does in Python.
enum FileSystemShim {
    struct RenameError: Error, LocalizedError {
        let code: Int32
        var errorDescription: String? { String(cString: strerror(code)) }
    }

    static func replace(_ destination: URL, with source: URL) throws {
        guard rename(source.path, destination.path) == 0 else { throw RenameError(code: errno) }
    }
}
