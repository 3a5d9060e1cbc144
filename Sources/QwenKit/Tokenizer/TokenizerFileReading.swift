import Foundation

/// The contents of a tokenizer file, with read failures as ``TokenizerError``.
func readTokenizerFile(_ url: URL) throws -> Data {
    do {
        return try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
        throw TokenizerError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
    }
}
