import QwenKit
import Testing

@Suite struct JSONPrefixValidatorTests {
    /// The bytes the validator reads before refusing one, or nil when it reads them all.
    static func firstRefusal(_ text: String) -> (offset: Int?, isComplete: Bool) {
        var validator = JSONPrefixValidator()
        for (offset, byte) in text.utf8.enumerated() where !validator.consume(byte) {
            return (offset, false)
        }
        return (nil, validator.isComplete)
    }

    @Test(arguments: [
        "{}", #"{"a": 1} "#, #"{"a": [1, -2.5e+3, 0.0, 1E9, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9"]}"#,
        #"{"nested": {"k": [[], {}, [{}]]}, "杭州": "北京"}"#, "{\n\t\"a\" : -0\r\n}",
    ])
    func completeObjects(text: String) {
        #expect(Self.firstRefusal(text) == (nil, true))
    }

    @Test(arguments: [#"{"a"#, #"{"a": [1, "#, #"{"a": tr"#, "{\"a\": 1.", #"{"a": "\u00"#, #"{"a": -"#])
    func prefixesAreAcceptedButIncomplete(text: String) {
        #expect(Self.firstRefusal(text) == (nil, false))
    }

    @Test(arguments: [
        ("[1]", 0), ("\"a\"", 0), ("{a", 1), (#"{"a" 1"#, 5), (#"{"a": 01}"#, 7), (#"{"a": 1,}"#, 8),
        (#"{"a": [1,]}"#, 9), (#"{"a": tru}"#, 9), (#"{"a": "\x"}"#, 8), ("{\"a\n", 3), (#"{"a": 1.e5}"#, 8),
        (#"{"a": 1]"#, 7), (#"{"a": [1}"#, 8), ("{} x", 3), (" {}", 0), (#"{"a": +1}"#, 6), (#"{"a": "\u12g4"}"#, 11),
    ])
    func invalidBytesAreRefusedWhereTheyOccur(text: String, offset: Int) {
        #expect(Self.firstRefusal(text).offset == offset, "\(text)")
    }

    @Test func whitespaceRunsAreLimited() {
        let layout = String(repeating: " ", count: JSONPrefixValidator.maxWhitespaceRun)
        #expect(Self.firstRefusal("{" + layout + "\"a\":" + layout + "1}").offset == nil)
        #expect(Self.firstRefusal("{" + layout + " ").offset == JSONPrefixValidator.maxWhitespaceRun + 1)
        #expect(Self.firstRefusal("{\"" + layout + layout + "\"").offset == nil, "inside strings any amount")
    }

    @Test func nestingIsLimited() {
        let deep = "{\"a\":" + String(repeating: "[", count: JSONPrefixValidator.maxDepth - 1)
        #expect(Self.firstRefusal(deep).offset == nil)
        #expect(Self.firstRefusal(deep + "[").offset == deep.utf8.count)
    }
}
