import Foundation

/// Which files of a repository inference needs: configuration, generation configuration,
/// tokenizer and chat template files, and the weights (the safetensors files, or the GGUF file of
/// one quantization). READMEs, PyTorch `.bin` files, ONNX exports and other quantizations are left out.
enum HubFileSelection {
    static let indexFile = "model.safetensors.index.json"

    /// Small files read next to the weights, when the repository has them.
    static let configurationNames = [
        "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
        "special_tokens_map.json", "chat_template.jinja",
    ]

    /// The configuration and tokenizer files among `files` (`vocab.json` and `merges.txt` only
    /// without a `tokenizer.json`), plus the index of sharded weights.
    static func configurationFiles(among files: [String]) -> [String] {
        var selected = configurationNames.filter(files.contains)
        if !files.contains("tokenizer.json") {
            selected += ["vocab.json", "merges.txt"].filter(files.contains)
        }
        selected += files.filter { $0.hasPrefix("additional_chat_templates/") && $0.hasSuffix(".jinja") }
        if files.contains(indexFile) { selected.append(indexFile) }
        return selected
    }

    /// The safetensors files to load: the shards `index` names, else `model.safetensors`, else every
    /// top-level `.safetensors` file. Empty when there are none.
    static func weightFiles(among files: [String], index: SafetensorsIndex?) -> [String] {
        if let index { return Set(index.weightMap.values).sorted() }
        if files.contains("model.safetensors") { return ["model.safetensors"] }
        return files.filter { !$0.contains("/") && $0.hasSuffix(".safetensors") }.sorted()
    }

    /// The GGUF file(s) to use: those of `quantization` (all shards of a split file, first shard
    /// first); with no quantization, GGUF files only when there are no safetensors weights: the
    /// only one, or `q4_k_m` as llama.cpp picks. Nil when the model is not to be taken from GGUF.
    static func ggufFiles(among files: [String], repository: String, quantization: String?) throws(HubError) -> [String]? {
        let hasSafetensors = files.contains { !$0.contains("/") && $0.hasSuffix(".safetensors") }
        if quantization == nil && hasSafetensors { return nil }
        var groups: [String: [String]] = [:]
        for file in files where !file.contains("/") && file.lowercased().hasSuffix(".gguf") && !file.lowercased().contains("mmproj") {
            groups[stem(of: file), default: []].append(file)
        }
        if groups.isEmpty && quantization == nil { return nil }
        let available = groups.keys.map(tag(of:)).sorted()
        let chosen: [String]
        if let quantization {
            let wanted = quantization.lowercased()
            chosen = groups.keys.filter { $0 == wanted || $0.hasSuffix("-" + wanted) || $0.hasSuffix("." + wanted) }
        } else if groups.count == 1 {
            chosen = Array(groups.keys)
        } else {
            chosen = groups.keys.filter { tag(of: $0) == "q4_k_m" }
        }
        guard chosen.count == 1, let files = groups[chosen[0]] else {
            throw .noMatchingGGUF(repository: repository, quantization: quantization, available: available)
        }
        return files.sorted()
    }

    /// The first file a model directory still lacks: `config.json`, a tokenizer, or weights.
    static func missingFile(in directory: URL, names: [String]) -> String? {
        if !names.contains("config.json") { return "config.json" }
        if !names.contains("tokenizer.json") && !(names.contains("vocab.json") && names.contains("merges.txt")) {
            return "tokenizer.json"
        }
        if names.contains(indexFile) {
            guard let index = try? SafetensorsIndex(url: directory.appendingPathComponent(indexFile)) else {
                return indexFile + " (unreadable)"
            }
            return weightFiles(among: names, index: index).first { !names.contains($0) }
        }
        return weightFiles(among: names, index: nil).isEmpty ? "model.safetensors" : nil
    }

    /// A GGUF file name lowercased, without `.gguf` and without a `-00001-of-00003` split suffix.
    private static func stem(of file: String) -> String {
        var stem = String(file.lowercased().dropLast(".gguf".count))
        if let range = stem.range(of: #"-\d{5}-of-\d{5}$"#, options: .regularExpression) {
            stem.removeSubrange(range)
        }
        return stem
    }

    /// The quantization tag of a stem: what follows its last `-` or `.`.
    private static func tag(of stem: String) -> String {
        guard let separator = stem.lastIndex(where: { $0 == "-" || $0 == "." }) else { return stem }
        return String(stem[stem.index(after: separator)...])
    }
}
