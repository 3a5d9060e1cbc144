import Foundation
import QwenKit
import Testing

/// Jinja features, each snippet compared with what transformers' Jinja environment renders
/// (Tests/Fixtures/templates/make_jinja_features.py), plus the engine's typed errors.
@Suite struct JinjaTemplateTests {
    struct Snippet: Sendable, CustomTestStringConvertible {
        var json: JSONValue
        var testDescription: String { String((json["template"]?.stringValue ?? "").prefix(60)) }
    }

    static let features: JSONValue =
        (try? JSONValue(parsing: Data(contentsOf: Fixtures.url("templates/jinja-features.json")))) ?? .null

    static let snippets: [Snippet] = (features["cases"]?.arrayValue ?? []).map(Snippet.init)

    static var context: [String: JSONValue] {
        var context: [String: JSONValue] = [:]
        for (key, value) in features["context"]?.objectValue ?? [:] { context[key] = value }
        return context
    }

    @Test func featureFileIsComplete() {
        #expect(Self.snippets.count >= 85)
    }

    @Test(arguments: snippets) func rendersLikeJinja(_ snippet: Snippet) throws {
        let source = try #require(snippet.json["template"]?.stringValue)
        let template = try JinjaTemplate(source)
        if let expected = snippet.json["rendered"]?.stringValue {
            let rendered = try template.render(Self.context)
            #expect(rendered == expected)
            return
        }
        let message = try #require(snippet.json["error"]?.stringValue)
        do {
            let unexpected = try template.render(Self.context)
            Issue.record("expected an error like \(message), rendered \(unexpected.debugDescription)")
        } catch .raised(let raised, _) {
            #expect(snippet.json["raised"] == .bool(true), "unexpected raise_exception(\(raised))")
            #expect(raised == message)
        } catch {
            #expect(snippet.json["raised"] == .bool(false), "expected raise_exception(\(message)), got \(error)")
        }
    }

    @Test func unknownFilterIsACompileErrorWithLine() {
        #expect(throws: JinjaError.unknownFilter("shout", line: 3)) {
            try JinjaTemplate("a\nb\n{{ x | shout }}")
        }
    }

    @Test func unknownTestIsACompileErrorWithLine() {
        #expect(throws: JinjaError.unknownTest("purple", line: 2)) {
            try JinjaTemplate("\n{% if x is purple %}{% endif %}")
        }
    }

    @Test func syntaxErrorsNameTheLine() {
        let cases: [(String, Int)] = [
            ("{% if x %}\nno end", 2),
            ("line\n{{ x + }}", 2),
            ("{% for x %}{% endfor %}", 1),
            ("{{ 'unterminated }}", 1),
            ("a\n\n{% endif %}", 3),
            ("{{ (1, 2 }}", 1),
            ("{% bogus %}", 1),
            ("{# never closed", 1),
        ]
        for (source, line) in cases {
            do {
                _ = try JinjaTemplate(source)
                Issue.record("compiled \(source.debugDescription)")
            } catch .syntax(_, let actualLine) {
                #expect(actualLine == line, "\(source.debugDescription)")
            } catch {
                Issue.record("\(source.debugDescription): \(error)")
            }
        }
    }

    @Test func unsupportedConstructsAreTypedErrors() {
        for (source, construct) in [
            ("{% include 'other.jinja' %}", "'include' tag"),
            ("{% extends 'base' %}", "'extends' tag"),
            ("{% for x in y recursive %}{% endfor %}", "recursive for loop"),
        ] {
            #expect(throws: JinjaError.unsupported(construct, line: 1)) { try JinjaTemplate(source) }
        }
        #expect(throws: JinjaError.unsupported("filter 'pprint'", line: 1)) {
            try JinjaTemplate("{{ x | pprint }}").render(["x": 1])
        }
    }

    @Test func raiseExceptionCarriesMessageAndLine() {
        #expect(throws: JinjaError.raised("bad role: tool", line: 2)) {
            try JinjaTemplate("ok\n{{ raise_exception('bad role: ' + role) }}").render(["role": "tool"])
        }
    }

    @Test func runtimeErrorsNameTheLine() {
        #expect(throws: JinjaError.runtime("'x' is undefined", line: 2)) {
            try JinjaTemplate("\n{{ x.y }}").render([:])
        }
        #expect(throws: JinjaError.runtime("'dict object' has no attribute 'b'", line: 1)) {
            try JinjaTemplate("{{ a.b.c }}").render(["a": [:]])
        }
    }

    @Test func errorDescriptionsAreOneLine() {
        let error = JinjaError.unknownFilter("shout", line: 3)
        #expect(error.description == "line 3: unknown filter 'shout'")
        #expect(!JinjaError.syntax("unexpected '}'", line: 1).description.contains("\n"))
    }

    @Test func strftimeNowReadsTheGivenClock() throws {
        let date = try #require(Calendar(identifier: .gregorian).date(from: DateComponents(year: 2024, month: 7, day: 26, hour: 9)))
        let rendered = try JinjaTemplate("{{ strftime_now('%d %B %Y, %a %b %-d %H:%M %p %j') }}").render([:]) { date }
        #expect(rendered == "26 July 2024, Fri Jul 26 09:00 AM 208")
    }

    @Test func deepMacroRecursionStopsWithAnError() {
        #expect(throws: JinjaError.self) {
            try JinjaTemplate("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").render([:])
        }
    }
}

extension JinjaTemplateTests {
    @Test func absurdNestingIsASyntaxErrorNotACrash() {
        #expect(throws: JinjaError.self) { try JinjaTemplate("{{ " + String(repeating: "(", count: 100_000) + "1 }}") }
        #expect(throws: JinjaError.self) { try JinjaTemplate("{{ " + String(repeating: "not ", count: 100_000) + "1 }}") }
        #expect(throws: JinjaError.self) {
            try JinjaTemplate(String(repeating: "{% if true %}", count: 100_000))
        }
    }
}

extension JinjaTemplateTests {
    @Test func macrosMayBeStoredAndCalledLater() throws {
        // A macro defined inside a loop frame stays callable after the loop (as in Jinja).
        let source = "{% set ns = namespace() %}{% for i in [1, 2] %}{% macro m(x) %}{{ x }}!{% endmacro %}{% set ns.m = m %}{% endfor %}{{ ns.m(3) }}"
        #expect(try JinjaTemplate(source).render([:]) == "3!")
    }
}

extension JinjaTemplateTests {
    @Test func hostileSizesAreRefusedNotAllocated() {
        for source in ["{{ 'x' * 10**12 }}", "{{ [1] * 10**12 }}", "{{ '%999999999999s' % 'a' }}", "{{ 'a'|center(10**12) }}",
                       "{{ 'a\\nb'|indent(10**12) }}", "{{ range(10**12)|length }}", "{{ '%.99999f' % 1.5 }}"] {
            #expect(throws: JinjaError.self, "\(source)") { try JinjaTemplate(source).render([:]) }
        }
    }

    /// Growth one step at a time (a string doubled in a loop, joins of a shared huge string, text
    /// written over and over) stops at the size limit, and work without bound (nested loops,
    /// macros that call themselves twice per level) at the step limit, with the line named.
    @Test func unboundedGrowthAndWorkStopWithAnError() throws {
        let doubled = "{% set ns = namespace(s='abcdefgh') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
        #expect(throws: JinjaError.runtime("string of more than 50000000 bytes refused", line: 1)) {
            try JinjaTemplate(doubled).render([:])
        }
        let plus = "{% set ns = namespace(s='abcdefgh') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}"
        #expect(throws: JinjaError.self) { try JinjaTemplate(plus).render([:]) }
        #expect(throws: JinjaError.self) { try JinjaTemplate("{{ ([('x' * 10**7)] * 100)|join }}").render([:]) }
        #expect(throws: JinjaError.runtime("string of more than 50000000 bytes refused", line: 2)) {
            try JinjaTemplate("{% set s = 'x' * 10**7 %}\n{% for i in range(100) %}{{ s }}{% endfor %}").render([:])
        }
        #expect(throws: JinjaError.runtime("more than 1000000 loop iterations and macro calls: rendering stopped", line: 1)) {
            try JinjaTemplate("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}").render([:])
        }
        #expect(throws: JinjaError.self) {
            try JinjaTemplate("{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}").render([:])
        }
        // Far below the limits, real work renders.
        #expect(try JinjaTemplate("{% for i in range(1000) %}{% for j in range(100) %}{% endfor %}{% endfor %}ok").render([:]) == "ok")
    }

    @Test func integerEdgeCasesAreErrorsNotTraps() throws {
        for source in ["{{ (-9223372036854775807 - 1) // -1 }}", "{{ (-9223372036854775807 - 1) % -1 }}",
                       "{{ (-9223372036854775807 - 1) | abs }}"] {
            #expect(throws: JinjaError.self, "\(source)") { try JinjaTemplate(source).render([:]) }
        }
        #expect(try JinjaTemplate("{{ (-9223372036854775807 - 1) // 1 }} {{ -7 // 2 }} {{ -7 % 2 }} {{ -3 | abs }}").render([:])
                == "-9223372036854775808 -4 1 3")
    }
}
