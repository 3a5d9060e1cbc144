import Foundation
import QwenKit
import Testing

@Suite struct JSONValueTests {
    @Test func parsingKeepsKeyOrderAndNumberKinds() throws {
        let value = try JSONValue(parsing: #"{"zeta": 1, "alpha": 2.0, "mid": [true, false, null, -0.5e2, 10]}"#)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(value["zeta"] == .int(1))
        #expect(value["alpha"] == .double(2.0))
        #expect(value["mid"] == [true, false, nil, .double(-50), 10])
    }

    @Test func repeatedKeyKeepsFirstPositionAndLastValue() throws {
        let value = try JSONValue(parsing: #"{"a": 1, "b": 2, "a": 3}"#)
        #expect(value.objectValue?.keys == ["a", "b"])
        #expect(value["a"] == .int(3))
    }

    @Test func stringEscapesAndUnicode() throws {
        let value = try JSONValue(parsing: #"["\"\\\/\b\f\n\r\t", "\u00e9\u4e16", "\ud83d\ude00", "é世😀"]"#)
        #expect(value == ["\"\\/\u{08}\u{0C}\n\r\t", "é世", "😀", "é世😀"])
    }

    @Test func integersThatOverflowBecomeDoubles() throws {
        #expect(try JSONValue(parsing: "9223372036854775807") == .int(Int.max))
        #expect(try JSONValue(parsing: "92233720368547758070") == .double(92233720368547758070))
    }

    @Test func parseErrorsCarryTheByteOffset() {
        #expect(throws: JSONError.unexpectedByte(UInt8(ascii: "}"), offset: 9, expected: "a string key")) {
            try JSONValue(parsing: #"{"a": 1, }"#)
        }
        #expect(throws: JSONError.unexpectedEnd(offset: 5)) { try JSONValue(parsing: "[1, 2") }
        #expect(throws: JSONError.invalidNumber(offset: 1)) { try JSONValue(parsing: "[01]") }
        #expect(throws: JSONError.invalidEscape(offset: 1)) { try JSONValue(parsing: #""\q""#) }
        #expect(throws: JSONError.trailingData(offset: 3)) { try JSONValue(parsing: "{} x") }
        #expect(throws: JSONError.invalidUTF8(offset: 1)) { try JSONValue(parsing: Data([0x22, 0xFF, 0x22])) }
        #expect(throws: JSONError.tooDeep(offset: 512)) { try JSONValue(parsing: String(repeating: "[", count: 10_000)) }
    }

    @Test func pythonFloatRepr() {
        // Expected values printed by CPython's json.dumps / repr.
        let cases: [(Double, String)] = [
            (1.0, "1.0"), (0.1, "0.1"), (1e16, "1e+16"), (1e15, "1000000000000000.0"), (1.5e-7, "1.5e-07"),
            (1e-4, "0.0001"), (123456789.125, "123456789.125"), (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (-2.5, "-2.5"), (100.0, "100.0"), (1e22, "1e+22"),
            (12345678901234567890.0, "1.2345678901234567e+19"), (0.30000000000000004, "0.30000000000000004"),
            (9007199254740992.0, "9007199254740992.0"), (1.152921504606847e+18, "1.152921504606847e+18"),
            (-0.0, "-0.0"), (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
        ]
        for (value, expected) in cases {
            #expect(JSONValue.double(value).serialized(.python()) == expected)
        }
    }

    @Test func pythonDumpsLayout() {
        let value: JSONValue = ["b": [1, ["c": []], [:]], "a": "é\u{2028}\u{7F}\u{1F}"]
        #expect(value.serialized(.python()) == "{\"b\": [1, {\"c\": []}, {}], \"a\": \"é\u{2028}\u{7F}\\u001f\"}")
        #expect(value.serialized(.python(indent: 2)) == """
            {
              "b": [
                1,
                {
                  "c": []
                },
                {}
              ],
              "a": "é\u{2028}\u{7F}\\u001f"
            }
            """)
        let emoji: JSONValue = ["b": [1, ["c": []], [:]], "a": "é\u{2028}\u{7F}\u{1F}😀"]
        #expect(emoji.serialized(.python(ensureASCII: true))
            == #"{"b": [1, {"c": []}, {}], "a": "\u00e9\u2028\u007f\u001f\ud83d\ude00"}"#)
        #expect(value.serialized(.python(sortKeys: true)).hasPrefix(#"{"a": "#))
        #expect(value.serialized(.compact) == "{\"b\":[1,{\"c\":[]},{}],\"a\":\"é\u{2028}\u{7F}\\u001f\"}")
    }

    @Test func serializeThenParseRoundTrips() throws {
        let value: JSONValue = ["text": "line\nbreak \"quoted\" \\ tab\t", "n": -12, "x": 0.25, "list": [nil, true, [:]]]
        #expect(try JSONValue(parsing: value.serialized()) == value)
        #expect(try JSONValue(parsing: value.serialized(.python(indent: 4))) == value)
    }

    @Test func codableRoundTripThroughFoundation() throws {
        let value: JSONValue = ["name": "get_weather", "arguments": ["city": "杭州", "days": 2, "ratio": 0.5]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    @Test func objectsCompareWithoutKeyOrderLikePythonDicts() {
        let a: JSONValue = ["x": 1, "y": 2]
        let b: JSONValue = ["y": 2, "x": 1]
        #expect(a == b)
        #expect(a.serialized() != b.serialized())
    }
}
